from dossier.privacy import hash_id_number, id_number_is_valid, mask_id_number, mask_name, mask_text
from tasks.nlp.lexicon import canonical_charge, canonical_statute, charges


def test_id_number_checked_masked_and_hashed():
    assert id_number_is_valid("11010519491231002X")
    assert not id_number_is_valid("110105194912310021")  # wrong MOD 11-2 digit
    assert mask_id_number("11010519491231002X") == "110105***********X"
    assert hash_id_number("11010519491231002x") == hash_id_number("11010519491231002X")
    assert "19491231" not in mask_text("号码11010519491231002X")


def test_names_masked():
    assert mask_name("张三丰") == "张**"
    assert mask_text("被告人张三丰犯盗窃罪", ["张三丰"]) == "被告人张**犯盗窃罪"


def test_charges_map_to_official_names():
    assert len(charges()) == 469
    assert canonical_charge("盗窃罪") == "盗窃罪"
    assert canonical_charge("贩卖毒品罪") == "走私、贩卖、运输、制造毒品罪"
    assert canonical_charge("非法持有枪支罪") == "非法持有、私藏枪支、弹药罪"
    assert canonical_charge("掩饰、隐瞒犯罪所得罪") == "掩饰、隐瞒犯罪所得、犯罪所得收益罪"
    assert canonical_charge("罪所得罪") is None
    assert canonical_statute("《刑法》") == "中华人民共和国刑法"
