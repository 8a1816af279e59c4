"""Each suitability rule's source as screens show it, in each language only (``explain``).

``Rule.source`` (rules.py) stays the reference as the rule set declares it and as decisions store it
(the regulations' own names, mixed scripts); this is its wording for a Chinese and an English screen.
Every rule has an entry (tests/test_suitability_sources.py); a rule without one shows its declared
source in both languages.
"""
from __future__ import annotations

from counterdesk.base.text import Text

_NFRA = Text("《金融机构产品适当性管理办法》（国家金融监督管理总局令2025年第7号）",
             "NFRA Measures on product suitability (Order 2025 No. 7)")
_CSRC = Text("《证券期货投资者适当性管理办法》", "CSRC Measures on investor suitability")
_AMR = Text("《关于规范金融机构资产管理业务的指导意见》（银发〔2018〕106号）第五条",
            "Guiding Opinions on Asset Management Business (Yinfa 〔2018〕 No. 106) Art 5")
_INS = Text("《关于规范人身保险公司经营行为有关问题的通知》（保监发〔2014〕3号）",
            "CIRC notice on the business conduct of life insurers (Baojianfa 〔2014〕 No. 3)")
_LICENCE = Text("需求文件 003 第 1.2 节（持证上岗）", "seed 003 §1.2 (licensed staff only)")
_CATALOG = Text("产品目录（银行惯例）", "product catalog (practice)")


def _t(base: Text, zh: str, en: str) -> Text:
    return Text(base.zh + zh, base.en + en)


SOURCE_TEXTS: dict[str, Text] = {
    "SUIT-CAP-01": _t(_NFRA, "第十九条", " Art 19"),
    "SUIT-CAP-02": _t(_NFRA, "第十九条", " Art 19"),
    "SUIT-CAP-03": _t(_NFRA, "第十九条", " Art 19"),
    "SUIT-ASSESS-01": _t(_NFRA, "第一章（销售前评估）；第二十九条", " chapter 1 (assess before selling); Art 29"),
    "SUIT-ASSESS-02": _t(_NFRA, "第二十九条（有效期 12 个月）", " Art 29 (valid 12 months)"),
    "SUIT-ASSESS-03": _t(_NFRA, "第二十九条", " Art 29"),
    "SUIT-RATE-01": _t(_NFRA, "（发行机构与销售机构评级不一致时孰高）",
                       " (the issuer's and the distributor's ratings differ: the higher applies)"),
    "SUIT-LOWEST-01": Text(f"{_CSRC.zh}第十九条；{_NFRA.zh}", f"{_CSRC.en} Art 19; {_NFRA.en}"),
    "SUIT-GRADE-01": Text(f"{_NFRA.zh}第七条、第十二条；{_CSRC.zh}第二十二条",
                          f"{_NFRA.en} Arts 7, 12; {_CSRC.en} Art 22"),
    "SUIT-GRADE-02": Text(f"{_CSRC.zh}第十九条；{_NFRA.zh}第七条及例外条款（第三十八或三十九条，待确认）；"
                          "《保险销售行为管理办法》（2024年3月1日起施行）第二十八条",
                          f"{_CSRC.en} Art 19; {_NFRA.en} Art 7 and the exception article (Art 38 or 39, "
                          "unconfirmed); Measures on insurance sales conduct (in force 2024-03-01) Art 28"),
    "SUIT-PRO-01": _t(_CSRC, "第八条（专业投资者）；第二十二条", " Art 8 (professional investors); Art 22"),
    "SUIT-INIT-01": _t(_CSRC, "第二十二条（银行惯例：记录由谁选择产品）",
                       " Art 22 (practice: record who chose the product)"),
    "SUIT-AMOUNT-01": _t(_NFRA, "第七条、第十二条", " Arts 7, 12"),
    "SUIT-ELDER-01": Text(f"{_NFRA.zh}（老年客户）；{_CSRC.zh}第二十条",
                          f"{_NFRA.en} (older customers); {_CSRC.en} Art 20"),
    "SUIT-PRIV-01": _AMR,
    "SUIT-PRIV-02": _AMR,
    "SUIT-COOL-01": Text("《私募投资基金募集行为管理办法》第三十一条；《商业银行理财业务监督管理办法》（2018年）"
                         "（冷静期不少于 24 小时）",
                         "Measures on the fund-raising of private investment funds Art 31; Measures on the "
                         "wealth-management business of commercial banks (2018) (cooling-off at least 24 hours)"),
    "SUIT-INS-01": _INS,
    "SUIT-INS-02": _INS,
    "SUIT-INS-03": _t(_INS, "（检查所需的收入）", " (income needed for the checks)"),
    "SUIT-INS-04": _INS,
    "SUIT-INS-05": _INS,
    "SUIT-INS-06": _INS,
    "SUIT-INS-07": _t(_NFRA, "（保险产品的知情同意）", " (insurance informed consent)"),
    "SUIT-INS-08": _t(_NFRA, "（保险：缴费期超过 75 周岁）", " (insurance: instalments past age 75)"),
    "SUIT-INS-09": Text("《保险销售行为管理办法》（2024年3月1日起施行）；《商业银行代理保险业务管理办法》"
                        "（银保监办发〔2019〕179号），银行代理渠道犹豫期",
                        "Measures on insurance sales conduct (in force 2024-03-01); Measures on the insurance "
                        "agency business of commercial banks (CBIRC 〔2019〕 No. 179), the free-look period through "
                        "banks"),
    "SUIT-LIC-01": _LICENCE,
    "SUIT-LIC-02": _LICENCE,
    "SUIT-REC-01": Text("《银行业金融机构销售专区录音录像管理暂行规定》（银监办发〔2017〕110号，双录）",
                        "CBRC interim rules on audio and video recording in sales areas (Yinjianbanfa 〔2017〕 "
                        "No. 110, dual recording)"),
    "SUIT-SALE-01": _CATALOG,
    "SUIT-SALE-02": _CATALOG,
    "SUIT-MIN-01": Text("产品条款", "product terms"),
    "SUIT-AML-01": Text("《中华人民共和国反洗钱法》（2024年修订，强化尽职调查）；银行惯例",
                        "Anti-Money Laundering Law (2024) (enhanced due diligence); bank practice"),
}


def source_text(rule_id: str, declared: str) -> Text:
    """The rule's source for a screen in each language (the declared one when it has no entry)."""
    return SOURCE_TEXTS.get(rule_id) or Text(declared, declared)
