"""The supervision models, one module per family; each module registers its models
(``tasks.supervision.registry.register``) when imported, and the registry imports
every module here."""
