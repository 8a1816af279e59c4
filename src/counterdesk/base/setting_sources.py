"""Where each setting's value comes from, as screens show it: one text per language (the settings
page's tooltips). ``Setting.source`` (counterdesk.base.settings) is the declared reference, written for
engineers and auditors with the regulations' own names; this is its wording for a Chinese and an
English screen, each in its own language only. Every declared setting with a source has an entry here
(tests/test_setting_sources.py)."""
from __future__ import annotations

from counterdesk.base.text import Text

_PRACTICE = Text("银行惯例", "bank practice")
_POLICY = Text("本行制度", "bank policy")
_CDD = Text("《金融机构客户尽职调查和客户身份资料及交易记录保存管理办法》（中国人民银行、国家金融监督管理总局、"
            "中国证监会令〔2025〕第11号，2026年1月1日起施行）",
            "Measures on customer due diligence and the keeping of identity and transaction records "
            "(PBOC/NFRA/CSRC Order 〔2025〕 No. 11, in force 2026-01-01)")
_NFRA = Text("《金融机构产品适当性管理办法》（国家金融监督管理总局令2025年第7号）",
             "NFRA Measures on the suitability management of financial institutions' products (Order 2025 No. 7)")
_CSRC = Text("《证券期货投资者适当性管理办法》", "CSRC Measures on the suitability of securities and futures investors")
_AMR = Text("《关于规范金融机构资产管理业务的指导意见》（银发〔2018〕106号）第五条",
            "Guiding Opinions on Asset Management Business (Yinfa 〔2018〕 No. 106) Art 5")
_INS = Text("《关于规范人身保险公司经营行为有关问题的通知》（保监发〔2014〕3号）",
            "CIRC notice on the business conduct of life insurers (Baojianfa 〔2014〕 No. 3)")
_COMPLAINTS = Text("《银行业保险业消费投诉处理管理办法》（银保监会令2020年第3号，2020年3月1日起施行）",
                   "Measures on the handling of consumer complaints in banking and insurance "
                   "(CBIRC Order 2020 No. 3, in force 2020-03-01)")
_AML = Text("《中华人民共和国反洗钱法》（2024年修订）第三十四条", "Anti-Money Laundering Law (2024) Art 34")
_READING = Text(f"{_NFRA.zh}（给予客户充分的阅读时间；具体秒数为本行制度）",
                f"{_NFRA.en} (sufficient time to read; the numbers are bank policy)")
_ASSESSMENT = Text(f"{_NFRA.zh}第二十九条", f"{_NFRA.en} Art 29")
_ELDERLY = Text(f"{_NFRA.zh}；{_CSRC.zh}第二十条", f"{_NFRA.en}; {_CSRC.en} Art 20")


def _with(base: Text, zh: str, en: str) -> Text:
    return Text(base.zh + zh, base.en + en)


SOURCES: dict[str, Text] = {
    "auth.password_min_length": Text("金融行业标准 JR/T 0171-2020《个人金融信息保护技术规范》；银行惯例",
                                     "financial industry standard JR/T 0171-2020 (personal financial information "
                                     "protection); bank practice"),
    "auth.max_failed_attempts": _PRACTICE,
    "auth.lockout_minutes": _PRACTICE,
    "auth.idle_lock_seconds": _PRACTICE,
    "mfa.tellers": Text("需求文件 003 第 5 节（基于角色的访问控制加多因素认证）；"
                        "GB/T 22239-2019《网络安全等级保护基本要求》8.1.4.1 d)（两种或两种以上组合的鉴别技术）；"
                        "柜员是否适用：本行制度",
                        "seed 003 §5 (role-based access control plus multi-factor authentication); GB/T 22239-2019 "
                        "8.1.4.1 d) (two or more authentication techniques); for tellers: bank policy"),
    "sanctions.max_list_age_days": Text("银行惯例（金融行动特别工作组 FATF 第6项建议：按现行名单筛查）",
                                        "bank practice (FATF Recommendation 6: screen against current lists)"),
    "sanctions.match_threshold": _PRACTICE,
    "aml.high_risk_countries": Text("FATF 公布的需采取行动的高风险国家和地区",
                                    "FATF high-risk jurisdictions subject to a call for action"),
    "aml.monitored_countries": Text("FATF 公布的加强监控国家和地区（请填写现行名单）",
                                    "FATF jurisdictions under increased monitoring (fill in the current list)"),
    "due_diligence.threshold_cny": _with(_CDD, "：一次性金融服务（含销售金融产品）人民币 5 万元以上",
                                         ": one-off services incl. selling financial products, CNY 50,000 or more"),
    "due_diligence.threshold_usd": _with(_CDD, "：外币折合 1 万美元以上",
                                         ": foreign currency equivalent to USD 10,000 or more"),
    "due_diligence.fx_cny_per_unit": Text("中国外汇交易中心（CFETS）人民币汇率中间价，由网点录入；"
                                          "经人民币套算：本行制度",
                                          "the CFETS central parity rate of the renminbi, entered by the branch; "
                                          "cross rate via CNY: bank policy"),
    "due_diligence.image_max_kib": Text("本行制度（证件按每英寸 300 点彩色扫描远小于 8 兆字节）",
                                        "bank policy (a 300 dpi colour scan of a card is well under 8 MiB)"),
    "due_diligence.retention_years": Text(f"{_AML.zh}；{_CDD.zh}（至少 10 年）；领域规则第 6 节",
                                          f"{_AML.en}; {_CDD.en} (at least 10 years); domain rules §6"),
    "suitability.max_amount_share": _with(_NFRA, "第十二条（阈值：银行惯例）", " Art 12 (threshold: practice)"),
    "suitability.limited_capacity_max_risk": _with(_NFRA, "第十九条（“低风险”指 R1-R2：银行惯例）",
                                                   " Art 19 (\"low risk\" = R1-R2: practice)"),
    "suitability.elderly_care_age": _ELDERLY,
    "suitability.elderly_care_min_risk": Text(f"{_NFRA.zh}（65 岁以上客户购买高风险产品）；{_CSRC.zh}第二十条"
                                              "（“高风险”指 R4 中高和 R5 高：银行惯例）",
                                              f"{_NFRA.en} (customers of 65 or over buying high-risk products); "
                                              f"{_CSRC.en} Art 20 (\"high risk\" = R4 and R5: practice)"),
    "suitability.elderly_reading_seconds": _with(_NFRA, "（给予更多考虑时间；具体秒数为银行惯例，待确认）",
                                                 " (more time to consider; the number: practice, unconfirmed)"),
    "suitability.qualified_min_experience_years": _AMR,
    "suitability.qualified_net_financial_assets": _AMR,
    "suitability.qualified_financial_assets": _AMR,
    "suitability.qualified_avg_income": _AMR,
    "suitability.private_min_fixed_income": _AMR,
    "suitability.private_min_mixed": _AMR,
    "suitability.private_min_equity": _AMR,
    "suitability.cooling_off_hours": Text("《私募投资基金募集行为管理办法》第三十一条；《商业银行理财业务监督管理办法》"
                                          "（2018年）（不少于 24 小时）",
                                          "Measures on the fund-raising of private investment funds Art 31; Measures "
                                          "on the wealth-management business of commercial banks (2018) (at least "
                                          "24 hours)"),
    "suitability.insurance_max_age": _INS,
    "suitability.insurance_max_age_periodic": _INS,
    "suitability.insurance_low_income": _with(_INS, "（具体金额待确认：当地居民人均可支配收入）",
                                              " (number unconfirmed: local per-capita disposable income)"),
    "suitability.insurance_single_premium_income_multiple": _INS,
    "suitability.insurance_periodic_premium_income_percent": _INS,
    "suitability.insurance_years_plus_age": _INS,
    "suitability.insurance_consent_premium_income_percent": _with(
        _NFRA, "，保险：保费相对家庭收入较高（比例为本行制度，待确认）",
        ", insurance: premium high relative to household income (ratio: bank policy, unconfirmed)"),
    "suitability.insurance_instalment_end_age": _with(_NFRA, "，保险：缴费期超过 75 周岁",
                                                      ", insurance: instalments past age 75"),
    "suitability.insurance_free_look_days": Text(
        "《保险销售行为管理办法》（国家金融监督管理总局令2023年第2号，2024年3月1日起施行）；银行代理渠道犹豫期 15 日"
        "（《商业银行代理保险业务管理办法》银保监办发〔2019〕179号；领域规则第 5 节，待确认）",
        "Measures on insurance sales conduct (NFRA Order 2023 No. 2, in force 2024-03-01); a free-look period of "
        "15 days through banks (Measures on the insurance agency business of commercial banks, CBIRC 〔2019〕 "
        "No. 179; domain rules §5, unconfirmed)"),
    "assessment.validity_months": _ASSESSMENT,
    "assessment.max_per_day": _ASSESSMENT,
    "assessment.max_per_year": _ASSESSMENT,
    "disclosure.min_reading_seconds_r1": _READING,
    "disclosure.min_reading_seconds_r2": _READING,
    "disclosure.min_reading_seconds_r3": _READING,
    "disclosure.min_reading_seconds_r4": _READING,
    "disclosure.min_reading_seconds_r5": _READING,
    "signoff.approval_amount": Text("本行制度（双人复核的金额门槛）", "bank policy (maker-checker threshold)"),
    "signoff.approval_expiry_minutes": _POLICY,
    "signoff.sentence_min_risk": Text(f"{_CSRC.zh}第十九至二十条；本行制度", f"{_CSRC.en} Arts 19-20; bank policy"),
    "signoff.followup_due_days": Text("领域规则第 5 节（由非销售人员回访；期限为本行制度）",
                                      "domain rules §5 (follow-up by a non-sales employee; deadline: bank policy)"),
    "confirmation.tsa_url": Text("《电子签名法》第十三、十四条（签署时间可证明）；ETSI EN 319 142-1 长期验证签名",
                                 "Electronic Signature Law Arts 13-14 (time of signing provable); ETSI EN 319 142-1 "
                                 "PAdES B-T/B-LT"),
    "anchoring.interval_seconds": Text("本行制度（内部人员篡改而未被锚定的最长时间）",
                                       "bank policy (how far back an insider's rewrite can go unanchored)"),
    "sync.retention_days": Text("银行惯例（数据最小化，《个人信息保护法》第十九条；总行汇总端保存已同步记录）",
                                "bank practice (data minimisation, PIPL Art 19; the hub's copy is the record of "
                                "what was synced)"),
    "complaints.simple_days": _with(_COMPLAINTS, "第十九条（15 日）", " Art 19 (15 days)"),
    "complaints.complex_days": _with(_COMPLAINTS, "第十九条（可延长至 30 日）", " Art 19 (may be extended to 30 days)"),
    "complaints.max_days": _with(_COMPLAINTS, "第十九条（经上级批准并告知投诉人，可再延长 30 日）",
                                 " Art 19 (a further 30 days with senior approval and notice to the complainant)"),
    "complaints.review_days": _with(_COMPLAINTS, "第二十二条（自收到核查申请起 30 日内作出核查决定；条款号待确认）",
                                    " Art 22 (review decided within 30 days of the request; article number "
                                    "unconfirmed)"),
    "complaints.due_soon_days": _POLICY,
    "evaluation.nps_every": Text("本行制度；净推荐值（NPS）问题按 2003 年《哈佛商业评论》所载定义；抽样询问，"
                                 "以免常客每次来访都被询问",
                                 "bank policy; the NPS question as defined by Reichheld, \"The One Number You Need to "
                                 "Grow\" (HBR, 2003); asked in a sample of sessions so that a regular customer is "
                                 "not asked at every visit"),
    "evaluation.min_count": Text("本行制度（小样本抑制，同统计披露控制；《个人信息保护法》第五十一条）",
                                 "bank policy (small-cell suppression, as in statistical disclosure control; PIPL "
                                 "Art 51)"),
    "retention.transaction_years": Text(f"{_AML.zh}（至少 10 年）；领域规则第 6 节",
                                        f"{_AML.en} (at least 10 years); domain rules §6"),
    "retention.suitability_years": Text(f"{_CSRC.zh}第三十二条（20 年，作为默认值）；领域规则第 6 节",
                                        f"{_CSRC.en} Art 32 (20 years, used as default); domain rules §6"),
    "followups.elderly_extra_days": Text(f"领域规则第 5 节：65 岁以上客户购买高风险产品须加强回访（{_ELDERLY.zh}）；"
                                         "天数为本行制度",
                                         f"domain rules §5: 65+ high-risk purchases need more follow-up "
                                         f"({_ELDERLY.en}); the number of days: bank policy"),
    "followups.assessment_window_days": Text(f"{_ASSESSMENT.zh}（有效期 12 个月，期满重新评估）；提醒窗口为本行制度",
                                             f"{_ASSESSMENT.en} (valid 12 months, then reassess); the window: bank "
                                             "policy"),
    "followups.maturity_window_days": Text("本行制度（到期前的服务；期限取自产品目录）",
                                           "bank policy (service before maturity; the term from the product catalog)"),
    "followups.due_soon_days": _POLICY,
    "followups.lapse_days": Text("本行制度（售后回访为监管要求，完成前一直保留）",
                                 "bank policy (post-sale calls are regulatory: kept until done)"),
}
