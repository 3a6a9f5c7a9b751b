"""The segmenter: domain words stay whole, sub-words are indexed, queries are cut the same way."""

import re
from pathlib import Path

import pytest

from search import segmentation
from search.segmentation import index_tokens, phrase_words, query_terms, segment_for_index

DOMAIN_TERMS = [
    "一把手", "主要负责人", "党政正职", "主要领导", "三重一大", "民主集中制", "末位表态", "四个不直接分管",
    "一岗双责", "述责述廉", "带病提拔", "中央八项规定", "民主生活会", "四公开", "权力运行流程图",
    "不敢腐", "不能腐", "不想腐", "同级监督", "以案促改", "警示教育",
]  # fmt: skip


def _all_tokens(text):
    main, extra = index_tokens(text)
    return set(main) | set(extra)


def test_dictionary_holds_every_domain_and_taxonomy_term():
    words = {word for word, _ in segmentation.read_dictionary()}
    taxonomy = [
        "上级监督不到位", "同级监督弱化", "下级不敢监督", "自身不愿接受监督", "思想认知问题", "执行操作漏洞",
        "注重提醒防范", "强化权力监督", "做实办事公开", "完善监督机制", "强化分权制衡", "提升思想认识",
        "强化制度执行", "落实同级监督", "违反中央八项规定精神", "挪用公款", "滥用职权", "玩忽职守",
        "违规选人用人", "违规决策", "利用职务便利为亲属谋利", "隐瞒不报个人有关事项",
    ]  # fmt: skip
    assert set(DOMAIN_TERMS + taxonomy) <= words


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_are_single_words(term):
    assert query_terms(term) == [term]
    assert term in segmentation.get_segmenter().cut(f"要坚持{term}的要求")


def test_segmenter_is_loaded_once():
    assert segmentation.get_segmenter() is segmentation.get_segmenter()


def test_supervision_is_found_inside_longer_words():
    assert "监督" in _all_tokens("同级监督弱化问题突出")
    assert "监督" in _all_tokens("加强对一把手监督")
    # Four-character dictionary words inside longer ones, which cut_for_search does not emit.
    assert "同级监督" in _all_tokens("同级监督弱化")
    assert "中央八项规定" in _all_tokens("违反中央八项规定精神")


def test_dudao_never_comes_from_jiandu():
    assert "督导" not in _all_tokens("加强监督导向作用，强化监督")
    assert "监督" not in _all_tokens("督导组开展督导检查")


def test_index_text_keeps_reading_order_then_subwords():
    text = segment_for_index("加强对一把手监督")
    main, _, extra = text.partition(segmentation.SUBWORD_SEPARATOR.strip())
    assert main.split() == ["加强", "对", "一把手", "监督"]
    assert {"一把", "把手"} <= set(extra.split())


def test_index_text_is_words_for_a_whitespace_tokenizer():
    text = segment_for_index("2023年，某某收受“红包礼金”<b>5</b>万元！")
    for token in text.replace(segmentation.SUBWORD_SEPARATOR, " ").split():
        assert re.fullmatch(r"\w+", token), token


def test_query_drops_stop_words_and_stray_characters():
    assert query_terms("对一把手的监督") == ["一把手", "监督"]
    assert query_terms("，。！") == []
    assert query_terms("腐") == ["腐"]  # a query of one character is kept


def test_partial_query_keeps_the_word_being_typed():
    assert query_terms("同级监") == ["同级"]
    assert query_terms("同级监", partial=True) == ["同级", "监"]


def test_phrase_words_are_in_reading_order():
    assert phrase_words("对一把手监督") == ["对", "一把手", "监督"]


def test_word_alternatives_for_words_cut_differently_in_context():
    # 领导干部 is one word to rjieba, but 主要领导干部 is cut 主要领导 / 干部.
    assert "领导干部" not in _all_tokens("主要领导干部带头")
    assert segmentation.word_alternatives("领导干部") == [["领导", "干部"]]
    assert segmentation.word_alternatives("三重一大") == []  # domain terms are always indexed whole
    assert segmentation.word_alternatives("监督") == []


def test_bad_dictionary_line_is_reported_with_its_number(tmp_path: Path):
    bad = tmp_path / "dictionary.txt"
    bad.write_text("# ok\n一把手\n三重一大 many\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        segmentation.read_dictionary(bad)
