# ruff: noqa: RUF001, E501 - name data in Cyrillic and Arabic script, one table row a line
"""A seeded, labelled screening benchmark: synthetic list entries and customer queries.

Entries (default 30,000 persons and some entities) are drawn from name pools of several cultures:
mainland Chinese (characters and/or pinyin), Hong Kong (traditional characters, HK government
Cantonese spelling), Macau (Portuguese-based Cantonese spelling), Taiwan (Wade-Giles), Russian and
other Cyrillic, Arabic (Latin spellings and Arabic script), Greek, Spanish, English and other Latin
names, each with gender, nationality and (mostly) a date of birth.

Queries are customers at the counter: names as their documents give them, date of birth, gender and
nationality. Each query has a named category. Match categories derive the query from one entry
(``expect`` is its ref); non-match categories build a customer who is on no list (checked against
every entry's names), many of them deliberately close to a listed name.

Independence from the matcher: the spellings here come from the generator's own hand-made
sources, never from the product's tables or the libraries it derives its spellings from. Hong Kong
and Macau given names are listed character by character as identity cards spell them (WAH, SHING,
SUET; VA, IENG, CHON), not derived from Jyutping by rules as the matcher does; Wade-Giles comes
from the generator's own conversion of pinyin (the published table) with Taiwan's customary family
names (LEE), not from pypinyin's Wade-Giles; Cyrillic is romanised by BGN/PCGN and ICAO tables
written here (the matcher uses anyascii); the Arabic spellings include Maghreb and Indonesian
forms (Djamel, Hocine, Youcef, Achmad) and the equivalent Latin given names pairs (William /
Guillaume, Thomas / Tomasz) that the matcher's equivalence table does not list. What is shared:
the pinyin of the characters (pypinyin, the reference reading), and for the truth only (which
customers are on no list) OpenCC for characters outside the pools and ToJyutping to tell which
listed characters a homophone reads like.

A non-match customer is one no screener could tell from a listed name without more data: not a
listed name in characters, nor in the same Latin words, nor a Cyrillic name in either Latin
convention, nor a Chinese name whose pinyin, Wade-Giles or Hong Kong / Macau spelling is that of an
entry listed in Latin letters only (黄凝 is WONG Ying to a list that gives no characters).
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache

from pypinyin import Style, lazy_pinyin

# ---- Chinese ------------------------------------------------------------------------------------
# (simplified, traditional, weight): frequent surnames carry more weight, as at a real counter.
SURNAMES = [
    ("王", "王", 9), ("李", "李", 9), ("张", "張", 9), ("刘", "劉", 7), ("陈", "陳", 7), ("杨", "楊", 5),
    ("黄", "黃", 5), ("赵", "趙", 4), ("吴", "吳", 4), ("周", "周", 4), ("徐", "徐", 3), ("孙", "孫", 3),
    ("马", "馬", 3), ("朱", "朱", 3), ("胡", "胡", 3), ("郭", "郭", 3), ("何", "何", 3), ("高", "高", 2),
    ("林", "林", 3), ("罗", "羅", 2), ("郑", "鄭", 2), ("梁", "梁", 2), ("谢", "謝", 2), ("宋", "宋", 2),
    ("唐", "唐", 2), ("许", "許", 2), ("韩", "韓", 2), ("冯", "馮", 2), ("邓", "鄧", 2), ("曹", "曹", 2),
    ("彭", "彭", 1), ("萧", "蕭", 1), ("田", "田", 1), ("董", "董", 1), ("袁", "袁", 1), ("潘", "潘", 1),
    ("蒋", "蔣", 1), ("蔡", "蔡", 1), ("余", "余", 1), ("杜", "杜", 1), ("叶", "葉", 1), ("程", "程", 1),
    ("苏", "蘇", 1), ("魏", "魏", 1), ("吕", "呂", 1), ("丁", "丁", 1), ("沈", "沈", 1), ("姚", "姚", 1),
    ("卢", "盧", 1), ("姜", "姜", 1), ("崔", "崔", 1), ("钟", "鍾", 1), ("谭", "譚", 1), ("陆", "陸", 1),
    ("范", "范", 1), ("金", "金", 1), ("廖", "廖", 1), ("贾", "賈", 1), ("夏", "夏", 1), ("方", "方", 1),
    ("邹", "鄒", 1), ("熊", "熊", 1), ("邱", "邱", 1), ("江", "江", 1), ("应", "應", 1), ("黎", "黎", 1),
    ("衡", "衡", 1), ("庞", "龐", 1), ("关", "關", 1), ("麦", "麥", 1), ("戴", "戴", 1), ("温", "溫", 1),
]
COMPOUND_SURNAMES = [("欧阳", "歐陽"), ("司马", "司馬"), ("诸葛", "諸葛"), ("上官", "上官"), ("司徒", "司徒")]
# Given-name characters (simplified, traditional), by the gender they are usually given to.
GIVEN_M = [("伟", "偉"), ("强", "強"), ("军", "軍"), ("杰", "傑"), ("涛", "濤"), ("明", "明"), ("刚", "剛"),
           ("建", "建"), ("国", "國"), ("志", "志"), ("文", "文"), ("辉", "輝"), ("海", "海"), ("波", "波"),
           ("斌", "斌"), ("宇", "宇"), ("浩", "浩"), ("鹏", "鵬"), ("飞", "飛"), ("峰", "峰"), ("德", "德"),
           ("大", "大"), ("永", "永"), ("俊", "俊"), ("健", "健"), ("华", "華"), ("平", "平"), ("东", "東"),
           ("龙", "龍"), ("成", "成"), ("家", "家"), ("荣", "榮"), ("光", "光"), ("新", "新"), ("安", "安")]
GIVEN_F = [("芳", "芳"), ("娜", "娜"), ("秀", "秀"), ("英", "英"), ("敏", "敏"), ("静", "靜"), ("丽", "麗"),
           ("艳", "艷"), ("娟", "娟"), ("霞", "霞"), ("玲", "玲"), ("红", "紅"), ("梅", "梅"), ("兰", "蘭"),
           ("凤", "鳳"), ("春", "春"), ("晓", "曉"), ("雪", "雪"), ("琳", "琳"), ("莹", "瑩"), ("燕", "燕"),
           ("慧", "慧"), ("婷", "婷"), ("佳", "佳"), ("美", "美"), ("欣", "欣"), ("颖", "穎"), ("萍", "萍"),
           ("华", "華"), ("文", "文"), ("小", "小"), ("嘉", "嘉"), ("月", "月"), ("珍", "珍"), ("宁", "寧")]
# Characters that read the same in Mandarin as a given-name character but are another character:
# the homophone non-matches (王大为 is not 王大伟).
HOMOPHONES = {"伟": "为卫玮", "强": "蔷墙", "军": "君钧", "杰": "洁捷", "涛": "韬", "明": "鸣铭", "刚": "钢纲",
              "建": "健剑", "国": "帼", "志": "智治", "文": "雯闻", "辉": "晖徽", "海": "亥", "波": "博",
              "斌": "彬滨", "宇": "雨羽", "浩": "皓昊", "鹏": "朋", "飞": "菲非", "峰": "锋枫", "德": "得",
              "芳": "方放", "娜": "那", "秀": "绣", "英": "莺鹰", "敏": "闽", "静": "靖婧", "丽": "莉俐",
              "艳": "燕雁", "娟": "鹃", "霞": "侠", "玲": "琳铃", "红": "宏虹", "梅": "媚玫", "兰": "岚澜",
              "凤": "风奉", "春": "纯", "晓": "小筱", "雪": "薛", "莹": "盈滢", "燕": "艳彦", "慧": "惠蕙",
              "婷": "亭", "佳": "嘉家", "美": "梅", "欣": "新馨", "颖": "影", "萍": "平苹", "华": "桦",
              "大": "达", "永": "勇", "俊": "骏", "健": "建剑", "平": "萍", "东": "冬", "龙": "隆", "成": "诚城",
              "家": "佳嘉", "荣": "蓉融", "光": "广", "新": "欣馨", "安": "岸", "小": "晓筱", "嘉": "佳家",
              "月": "越悦", "珍": "真贞", "宁": "凝"}

# Hong Kong government spellings (the Cantonese romanisation on HK identity cards and passports),
# syllable by syllable, with the spellings families actually use for common surnames.
HK_SURNAMES = {"陳": ["CHAN"], "黃": ["WONG"], "王": ["WONG"], "李": ["LEE", "LI"], "張": ["CHEUNG"],
               "梁": ["LEUNG"], "林": ["LAM"], "劉": ["LAU"], "吳": ["NG"], "何": ["HO"], "鄭": ["CHENG"],
               "楊": ["YEUNG"], "周": ["CHOW", "CHAU"], "郭": ["KWOK"], "謝": ["TSE"], "麥": ["MAK"],
               "朱": ["CHU"], "蔡": ["CHOI"], "許": ["HUI"], "馮": ["FUNG"], "葉": ["YIP"], "鄧": ["TANG"],
               "潘": ["POON"], "袁": ["YUEN"], "蕭": ["SIU"], "盧": ["LO"], "余": ["YU", "YUE"], "譚": ["TAM"],
               "羅": ["LAW", "LO"], "關": ["KWAN"], "黎": ["LAI"], "馬": ["MA"], "胡": ["WU", "WOO"],
               "孫": ["SUEN"], "徐": ["TSUI"], "高": ["KO"], "趙": ["CHIU"], "蘇": ["SO"], "鍾": ["CHUNG"],
               "曹": ["TSO"], "唐": ["TONG"], "韓": ["HON"], "宋": ["SUNG"], "江": ["KONG"], "方": ["FONG"],
               "姚": ["YIU"], "廖": ["LIU"], "杜": ["TO"], "蔣": ["TSEUNG"], "沈": ["SHUM"], "龐": ["PONG"],
               "戴": ["TAI"], "溫": ["WAN"], "金": ["KAM"], "歐陽": ["AU YEUNG", "AUYEUNG"], "司徒": ["SZETO"],
               "應": ["YING"], "呂": ["LUI"], "夏": ["HA"], "程": ["CHING"], "崔": ["CHUI"], "陸": ["LUK"]}
MO_SURNAMES = {"陳": ["CHAN"], "黃": ["VONG", "WONG"], "王": ["VONG"], "李": ["LEI"], "張": ["CHEONG"],
               "梁": ["LEONG"], "林": ["LAM"], "劉": ["LAO"], "吳": ["NG"], "何": ["HO"], "鄭": ["CHEANG"],
               "楊": ["IEONG"], "周": ["CHAO"], "郭": ["KUOK"], "謝": ["CHE"], "麥": ["MAK"], "朱": ["CHU"],
               "蔡": ["CHOI"], "許": ["HOI"], "馮": ["FONG"], "葉": ["IP"], "鄧": ["TANG"], "潘": ["PUN"],
               "袁": ["UN"], "蕭": ["SIO"], "盧": ["LOU"], "余": ["U"], "譚": ["TAM"], "羅": ["LO"],
               "關": ["KUAN"], "黎": ["LAI"], "馬": ["MA"], "胡": ["U", "WU"], "孫": ["SUN"], "徐": ["CHOI"],
               "高": ["KOU"], "趙": ["CHIO"], "蘇": ["SOU"], "鍾": ["CHONG"], "曹": ["CHOU"], "唐": ["TONG"],
               "區": ["AO"], "歐陽": ["AO IEONG"], "司徒": ["SI TOU"], "江": ["KONG"], "方": ["FONG"],
               "廖": ["LIO"], "杜": ["TOU"], "崔": ["CHOI"], "陸": ["LOK"]}
# Given-name characters as Hong Kong identity cards and passports spell them, written out by hand
# character by character (the spellings families actually carry, several where usage varies:
# 華 WAH, 成 SHING / SING, 雪 SUET, 月 YUET), NOT derived from Jyutping by rules: the matcher
# derives its Cantonese spellings mechanically from ToJyutping's data, so a table of rules here
# would only measure the matcher against a copy of itself.
HK_GIVEN = {"偉": ["WAI"], "強": ["KEUNG"], "軍": ["KWAN"], "傑": ["KIT"], "濤": ["TO"], "明": ["MING"],
            "剛": ["KONG"], "建": ["KIN"], "國": ["KWOK"], "志": ["CHI"], "文": ["MAN"], "輝": ["FAI"],
            "海": ["HOI"], "波": ["PO"], "斌": ["PAN", "BUN"], "宇": ["YU", "YUE"], "浩": ["HO"], "鵬": ["PANG"],
            "飛": ["FEI"], "峰": ["FUNG"], "德": ["TAK"], "大": ["TAI"], "永": ["WING"], "俊": ["CHUN"],
            "健": ["KIN"], "華": ["WAH", "WA"], "平": ["PING"], "東": ["TUNG"], "龍": ["LUNG"],
            "成": ["SHING", "SING"], "家": ["KA"], "榮": ["WING"], "光": ["KWONG"], "新": ["SUN", "SAN"],
            "安": ["ON"], "芳": ["FONG"], "娜": ["NA"], "秀": ["SAU"], "英": ["YING"], "敏": ["MAN"],
            "靜": ["CHING"], "麗": ["LAI"], "艷": ["YIM"], "娟": ["KUEN"], "霞": ["HA"], "玲": ["LING"],
            "紅": ["HUNG"], "梅": ["MUI"], "蘭": ["LAN"], "鳳": ["FUNG"], "春": ["CHUN"], "曉": ["HIU"],
            "雪": ["SUET", "SUT"], "琳": ["LAM"], "瑩": ["YING"], "燕": ["YIN"], "慧": ["WAI"], "婷": ["TING"],
            "佳": ["KAI"], "美": ["MEI"], "欣": ["YAN"], "穎": ["WING"], "萍": ["PING"], "小": ["SIU"],
            "嘉": ["KA"], "月": ["YUET", "YUT"], "珍": ["CHUN", "CHAN"], "寧": ["NING"]}
# The same characters as Macau spells them (Portuguese-based: IENG, KEONG, VA, CHON, IO ...), by hand.
MO_GIVEN = {"偉": ["WAI"], "強": ["KEONG"], "軍": ["KUAN"], "傑": ["KIT"], "濤": ["TOU"], "明": ["MENG"],
            "剛": ["KONG"], "建": ["KIN"], "國": ["KUOK"], "志": ["CHI"], "文": ["MAN"], "輝": ["FAI"],
            "海": ["HOI"], "波": ["PO"], "斌": ["PAN"], "宇": ["U"], "浩": ["HOU"], "鵬": ["PANG"],
            "飛": ["FEI"], "峰": ["FONG"], "德": ["TAK"], "大": ["TAI"], "永": ["WENG", "VENG"], "俊": ["CHON"],
            "健": ["KIN"], "華": ["VA", "WA"], "平": ["PENG"], "東": ["TONG"], "龍": ["LONG"], "成": ["SENG"],
            "家": ["KA"], "榮": ["WENG", "VENG"], "光": ["KUONG"], "新": ["SAN"], "安": ["ON"], "芳": ["FONG"],
            "娜": ["NA"], "秀": ["SAO"], "英": ["IENG"], "敏": ["MAN"], "靜": ["CHENG"], "麗": ["LAI"],
            "艷": ["IM"], "娟": ["KUN"], "霞": ["HA"], "玲": ["LENG"], "紅": ["HONG"], "梅": ["MUI"],
            "蘭": ["LAN"], "鳳": ["FONG"], "春": ["CHON"], "曉": ["HIO"], "雪": ["SUT"], "琳": ["LAM"],
            "瑩": ["IENG"], "燕": ["IN"], "慧": ["WAI", "VAI"], "婷": ["TENG"], "佳": ["KAI"], "美": ["MEI"],
            "欣": ["IAN"], "穎": ["WENG"], "萍": ["PENG"], "小": ["SIO"], "嘉": ["KA"], "月": ["UT"],
            "珍": ["CHAN"], "寧": ["NENG"]}
# Taiwan passports: Wade-Giles as people carry it, apostrophes and umlauts usually dropped, and
# the customary spellings some families keep (李 LEE, 金 KING).
TW_SURNAMES = {"李": ["LEE", "LI"], "金": ["CHIN", "KING"], "呂": ["LU", "LYU"], "余": ["YU"], "游": ["YU"]}
# Hanyu Pinyin -> Wade-Giles, written from the published conversion table (initials; finals that
# differ), independently of any library: the matcher takes its Wade-Giles from pypinyin.
_WG_INITIAL = (("zh", "ch"), ("ch", "ch'"), ("sh", "sh"), ("b", "p"), ("p", "p'"), ("d", "t"), ("t", "t'"),
               ("g", "k"), ("k", "k'"), ("z", "ts"), ("c", "ts'"), ("j", "ch"), ("q", "ch'"), ("x", "hs"),
               ("r", "j"), ("h", "h"), ("m", "m"), ("f", "f"), ("n", "n"), ("l", "l"), ("s", "s"), ("y", "y"),
               ("w", "w"))
_WG_FINAL = {"ie": "ieh", "ian": "ien", "ong": "ung", "iong": "iung", "ue": "üeh", "er": "erh", "ui": "ui",
             "uo": "uo", "you": "yu", "yan": "yen", "ye": "yeh", "yi": "i", "yin": "yin", "ying": "ying",
             "yu": "yü", "yue": "yüeh", "yuan": "yüan", "yun": "yün", "yong": "yung"}

# ---- Cyrillic, Arabic, Greek, Latin ---------------------------------------------------------------
RU_FIRST_M = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Юрий", "Михаил", "Николай", "Евгений",
              "Владимир", "Игорь", "Олег", "Виктор", "Павел", "Максим", "Константин", "Григорий", "Борис"]
RU_FIRST_F = ["Елена", "Татьяна", "Наталья", "Ольга", "Ирина", "Юлия", "Светлана", "Екатерина", "Анастасия",
              "Мария", "Людмила", "Ксения"]
RU_LAST = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
           "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
           "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Захаров", "Зайцев", "Соловьёв", "Борисов",
           "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кириллов", "Щербаков", "Жуков", "Юдин",
           "Хабаров", "Цветков", "Чернов", "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Белов", "Комаров"]
# Two romanisation conventions that both appear on documents and lists: BGN/PCGN and ICAO 9303.
_RU_COMMON = dict(zip("абвгдзклмнопрстуфыэ", "abvgdzklmnoprstufye"))
RU_BGN = {**_RU_COMMON, "е": "e", "ё": "e", "ж": "zh", "и": "i", "й": "y", "х": "kh", "ц": "ts", "ч": "ch",
          "ш": "sh", "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya"}
RU_ICAO = {**RU_BGN, "й": "i", "ю": "iu", "я": "ia", "ъ": "ie"}
# (script, Latin spellings): the spellings are equivalent renderings of the same name.
AR_GIVEN = [("محمد", ["Muhammad", "Mohammed", "Mohamed", "Mohammad", "Mouhamed"]), ("أحمد", ["Ahmad", "Ahmed", "Achmad"]),
            ("علي", ["Ali"]), ("حسن", ["Hassan", "Hasan", "Hacene"]), ("حسين", ["Hussein", "Husayn", "Hussain", "Hocine"]),
            ("عمر", ["Omar", "Umar", "Omer"]), ("يوسف", ["Yusuf", "Youssef", "Yousef", "Youcef"]), ("إبراهيم", ["Ibrahim", "Ebrahim"]),
            ("خالد", ["Khalid", "Khaled", "Khaleed"]), ("طارق", ["Tariq", "Tarek"]), ("فيصل", ["Faisal", "Faysal"]),
            ("ناصر", ["Nasser", "Nasir"]), ("سليم", ["Salim", "Selim"]), ("كريم", ["Karim", "Kareem"]),
            ("حامد", ["Hamid", "Hamed"]), ("مصطفى", ["Mustafa", "Mostafa", "Moustafa"]), ("محمود", ["Mahmoud", "Mahmud", "Mahmood"]),
            ("سعيد", ["Said", "Saeed"]), ("جمال", ["Jamal", "Gamal", "Djamel"]), ("بشير", ["Bashir", "Bachir", "Bechir"]),
            ("رشيد", ["Rashid", "Rachid", "Rasheed"]), ("عبد العزيز", ["Abdul Aziz", "Abdelaziz"]),
            ("عبد الرحمن", ["Abdul Rahman", "Abdelrahman", "Abderrahmane"]), ("عبد الله", ["Abdullah", "Abdallah", "Abdellah"]),
            ("أسامة", ["Usama", "Osama"]), ("يحيى", ["Yahya", "Yehia"]), ("زكريا", ["Zakariya", "Zakaria"]),
            ("إدريس", ["Idris", "Idriss"]), ("قاسم", ["Qasim", "Kassem", "Kacem"]), ("وليد", ["Walid", "Waleed", "Oualid"]),
            ("جلال", ["Jalal"]), ("كمال", ["Kamal"]), ("منير", ["Munir", "Mounir"]), ("سامي", ["Sami", "Samy"])]
AR_GIVEN_F = [("فاطمة", ["Fatima", "Fatma"]), ("عائشة", ["Aisha", "Aicha"]), ("مريم", ["Maryam", "Mariam"]),
              ("زينب", ["Zainab", "Zeinab"]), ("خديجة", ["Khadija", "Khadidja"]), ("ليلى", ["Layla", "Leila"]),
              ("نور", ["Nour", "Noor"]), ("سارة", ["Sara", "Sarah"])]
AR_FAMILY = [("القاسمي", ["AL-QASIMI", "AL QASIMI"]), ("الحداد", ["AL-HADDAD", "HADDAD"]), ("بدوي", ["BADAWI"]),
             ("الأنصاري", ["AL-ANSARI", "ANSARI"]), ("التميمي", ["AL-TAMIMI", "TAMIMI"]),
             ("الزبيدي", ["AL-ZUBAIDI", "ZUBAIDI"]), ("الجبوري", ["AL-JUBURI", "AL-JABOURI"]),
             ("الدليمي", ["AL-DULAIMI", "DULAIMI"]), ("الخطيب", ["AL-KHATIB", "KHATIB"]),
             ("النجار", ["AL-NAJJAR", "NAJJAR"]), ("الشامي", ["AL-SHAMI", "SHAMI"]), ("المصري", ["AL-MASRI", "MASRI"]),
             ("الحلبي", ["AL-HALABI", "HALABI"]), ("القحطاني", ["AL-QAHTANI", "QAHTANI"]),
             ("الزهراني", ["AL-ZAHRANI", "ZAHRANI"]), ("سليمان", ["SULEIMAN", "SULAYMAN"]),
             ("منصور", ["MANSOUR", "MANSUR"]), ("الهاشمي", ["AL-HASHIMI", "HASHEMI"]), ("البكري", ["AL-BAKRI", "BAKRI"]),
             ("الرفاعي", ["AL-RIFAI", "RIFAI"]), ("العمري", ["AL-OMARI", "AL-UMARI"]), ("الكردي", ["AL-KURDI", "KURDI"]),
             ("السعدي", ["AL-SAADI", "SAADI"]), ("اليماني", ["AL-YAMANI", "YAMANI"]), ("العبيدي", ["AL-OBEIDI", "OBEIDI"])]
GR_FIRST = [("Γεώργιος", "Georgios"), ("Κωνσταντίνος", "Konstantinos"), ("Ιωάννης", "Ioannis"),
            ("Δημήτριος", "Dimitrios"), ("Νικόλαος", "Nikolaos"), ("Παναγιώτης", "Panagiotis"),
            ("Χρήστος", "Christos"), ("Βασίλειος", "Vasileios"), ("Αθανάσιος", "Athanasios"),
            ("Μαρία", "Maria"), ("Ελένη", "Eleni"), ("Αικατερίνη", "Aikaterini"), ("Σοφία", "Sofia")]
GR_LAST = [("Παπαδόπουλος", "PAPADOPOULOS"), ("Παπαδάκης", "PAPADAKIS"), ("Νικολάου", "NIKOLAOU"),
           ("Γεωργίου", "GEORGIOU"), ("Οικονόμου", "OIKONOMOU"), ("Καραγιάννης", "KARAGIANNIS"),
           ("Βασιλείου", "VASILEIOU"), ("Αθανασίου", "ATHANASIOU"), ("Δημητρίου", "DIMITRIOU"),
           ("Ιωάννου", "IOANNOU"), ("Μακρής", "MAKRIS"), ("Πετρίδης", "PETRIDIS"), ("Αντωνίου", "ANTONIOU")]
ES_FIRST_M = ["José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Alejandro", "Rafael", "Andrés", "Fernando",
              "Ramón", "Julián", "Sebastián", "Héctor", "Óscar"]
ES_FIRST_F = ["María", "Carmen", "Ana", "Lucía", "Isabel", "Sofía", "Elena", "Patricia", "Mónica", "Inés"]
ES_LAST = ["García", "Rodríguez", "González", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
           "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Castillo",
           "Ortega", "Rubio", "Núñez", "Ibáñez", "Vargas", "Cárdenas", "Mendoza", "Guzmán", "Peña"]
EN_FIRST_M = ["John", "Michael", "David", "James", "Robert", "William", "Richard", "Thomas", "Peter", "Paul",
              "Hans", "Klaus", "Pierre", "Jean", "Luca", "Marco", "Jan", "Lars", "Erik", "Stefan"]
EN_FIRST_F = ["Mary", "Linda", "Susan", "Sarah", "Emma", "Anna", "Claire", "Sophie", "Giulia", "Ingrid",
              "Monika", "Julia", "Laura", "Helen"]
EN_LAST = ["SMITH", "JOHNSON", "BROWN", "TAYLOR", "WILSON", "EVANS", "THOMPSON", "WHITE", "HARRIS", "CLARKE",
           "MÜLLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "DUBOIS", "MOREAU", "LAURENT", "ROSSI",
           "BIANCHI", "ROMANO", "JANSEN", "DE VRIES", "NIELSEN", "LARSSON", "NOVAK", "KOWALSKI", "HORVATH"]
# Equivalent given names beyond spelling (the list writes one, the document the other).
EQUIVALENT_LATIN = {"Alexander": ["Aleksandr", "Alexandre"], "Michael": ["Mikhail", "Michel"],
                    "Peter": ["Pyotr", "Pierre"], "John": ["Ivan", "Juan", "Jean"], "Joseph": ["Jose", "Yosef"],
                    "Paul": ["Pavel", "Pablo"], "William": ["Guillaume", "Wilhelm"], "Thomas": ["Tomas", "Tomasz"],
                    "Richard": ["Ricardo", "Riccardo"], "David": ["Dawid", "Davide"], "James": ["Jacques", "Giacomo"]}
ADJ = ["Golden", "Silver", "Eastern", "Northern", "Ocean", "Dragon", "Phoenix", "Pacific", "Royal", "Global"]
NOUN = ["Harbour", "Bridge", "River", "Lotus", "Crane", "Horizon", "Summit", "Pearl", "Falcon", "Delta"]
TRADE = ["Trading", "Shipping", "Logistics", "Electronics", "Machinery", "Mining", "Technology"]
FORMS = ["Co., Ltd.", "LLC", "Company", "Group", "Holdings Limited", "JSC"]

MATCH_CATEGORIES = ("exact", "reordered", "typo", "pinyin_of_han", "han_of_pinyin", "wade_giles", "hk_cantonese",
                    "macau", "trad_simp", "translit_cyrillic", "translit_arabic", "translit_greek",
                    "name_equivalent", "missing_part", "dob_year_off", "dob_conflict")
CHINESE_ROMANISATION = ("pinyin_of_han", "han_of_pinyin", "wade_giles", "hk_cantonese", "macau", "trad_simp")
NONMATCH_CATEGORIES = ("neg_same_surname", "neg_homophone", "neg_common_name", "neg_swapped_surname",
                       "neg_same_given", "neg_clean")


@dataclass
class Entry:
    ref: str
    kind: str                      # person | entity
    culture: str                   # cn hk mo tw ru ar gr es en entity
    names: list[tuple[str, str]]   # (text, primary|alias|weak_alias)
    dob: str | None                # YYYY-MM-DD or YYYY
    nationality: str
    gender: str                    # male | female | ""
    document: str | None
    parts: dict = field(default_factory=dict)  # the generator's own record of the name (for variations)


@dataclass
class Query:
    qid: str
    category: str
    expect: str | None             # the entry ref it must alert on, None for a non-match
    names: list[str]
    birth_date: str | None
    nationality: str
    gender: str


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@cache
def _py(chars: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(chars, style=Style.NORMAL))


def _wg_syllable(py: str) -> str:
    """One toneless pinyin syllable in Wade-Giles, with apostrophes and ü (the generator's own rules)."""
    py = py.replace("v", "ü")
    if py[0] in "yw" or py in ("er", "e"):
        return _WG_FINAL.get(py, {"e": "o"}.get(py, py))
    ini = next((i for i, _w in _WG_INITIAL if py.startswith(i) and len(py) > len(i)), "")
    wg_ini, fin = dict(_WG_INITIAL).get(ini, ""), py[len(ini):]
    if ini in ("j", "q", "x") and fin.startswith("u"):
        fin = "ü" + fin[1:]                         # ju -> chü, xuan -> hsüan
    if fin == "i" and ini in ("zh", "ch", "sh", "r"):
        return wg_ini + "ih"                        # zhi -> chih, shi -> shih
    if fin == "i" and ini in ("z", "c", "s"):
        return {"z": "tzu", "c": "tz'u", "s": "ssu"}[ini]
    if fin == "e" and ini in ("g", "k", "h"):
        return wg_ini + "o"                         # ge -> ko, he -> ho
    if fin == "uo" and ini not in ("g", "k", "h", "sh"):
        return wg_ini + "o"                         # luo -> lo, zhuo -> cho
    return wg_ini + {"üe": "üeh"}.get(fin, _WG_FINAL.get(fin, fin))


def _wg(chars: str, rng: random.Random, family_t: str = "") -> list[str]:
    """Wade-Giles as on a Taiwan passport: ``family_t`` (the traditional family name) may take a
    customary spelling; apostrophes and umlauts are dropped half the time."""
    if family_t in TW_SURNAMES:
        return [rng.choice(TW_SURNAMES[family_t]).lower()]
    syl = [_wg_syllable(s) for s in _py(chars)]
    if rng.random() < 0.5:  # passports and lists often drop the apostrophes and the umlaut
        syl = [s.replace("'", "").replace("ü", "u") for s in syl]
    return syl


def _cantonese(trad: str, system: str, rng: random.Random) -> list[str]:
    """The given name as Hong Kong ("hk") or Macau ("mo") spells it, one hand-listed spelling a character."""
    table = HK_GIVEN if system == "hk" else MO_GIVEN
    return [rng.choice(table[ch]).lower() for ch in trad]


def _latin_order(family: str, given: list[str], rng: random.Random, hyphen: bool = False) -> str:
    if hyphen and len(given) > 1:
        gtxt = "-".join([given[0].capitalize()] + [g.lower() for g in given[1:]])
    elif len(given) > 1 and rng.random() < 0.5:
        gtxt = " ".join(g.capitalize() for g in given)
    else:
        gtxt = "".join(given).capitalize()
    style = rng.random()
    if style < 0.6:
        return f"{family.upper()} {gtxt}"
    if style < 0.85:
        return f"{family.capitalize()} {gtxt}"
    return f"{gtxt} {family.upper()}"  # Western order, family name in capitals


class Generator:
    def __init__(self, seed: int = 20261203):
        self.rng = random.Random(seed)
        self.used_han: set[str] = set()

    # ---- entries ---------------------------------------------------------------------------
    def _dob(self) -> str | None:
        r = self.rng.random()
        d = date(1940, 1, 1) + timedelta(days=self.rng.randrange(0, 60 * 365))
        if r < 0.65:
            return d.isoformat()
        if r < 0.80:
            return str(d.year)
        return None

    def _han_name(self, gender: str) -> tuple[str, str, str, str]:
        """(simplified, traditional, surname_simplified, surname_traditional)."""
        rng = self.rng
        if rng.random() < 0.03:
            sur_s, sur_t = rng.choice(COMPOUND_SURNAMES)
        else:
            sur_s, sur_t, _w = rng.choices(SURNAMES, weights=[w for *_x, w in SURNAMES])[0]
        pool = GIVEN_M if gender == "male" else GIVEN_F
        given = [rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2)))]
        return (sur_s + "".join(g[0] for g in given), sur_t + "".join(g[1] for g in given), sur_s, sur_t)

    def chinese(self, ref: str, culture: str) -> Entry:
        rng = self.rng
        gender = rng.choice(("male", "female"))
        simp, trad, sur_s, sur_t = self._han_name(gender)
        given_s, given_t = simp[len(sur_s):], trad[len(sur_t):]
        parts = {"simp": simp, "trad": trad, "sur_s": sur_s, "sur_t": sur_t, "given_s": given_s, "given_t": given_t}
        if culture == "cn":
            latin = _latin_order("".join(_py(sur_s)), _py(given_s), rng)
            r = rng.random()
            names = ([(latin, "primary"), (simp, "alias")] if r < 0.5 else
                     [(simp, "primary")] if r < 0.75 else [(latin, "primary")])
            nat = "CN"
        elif culture == "tw":
            latin = _latin_order("".join(_wg(sur_s, rng, sur_t)), _wg(given_s, rng), rng, hyphen=True)
            names = [(latin, "primary"), (trad, "alias")] if rng.random() < 0.5 else [(latin, "primary")]
            nat = "TW"
        else:
            table = HK_SURNAMES if culture == "hk" else MO_SURNAMES
            if sur_t not in table:
                return self.chinese(ref, "cn")
            fam = rng.choice(table[sur_t])
            given = _cantonese(given_t, culture, rng)
            latin = f"{fam} {' '.join(g.capitalize() for g in given)}"
            names = [(latin, "primary"), (trad, "alias")] if rng.random() < 0.5 else [(latin, "primary")]
            nat = "HK" if culture == "hk" else "MO"
        parts["latin"] = latin
        return Entry(ref, "person", culture, names, self._dob(), nat, gender, self._doc(), parts)

    def _doc(self) -> str | None:
        return f"{self.rng.choice('EGPKXA')}{self.rng.randrange(10**7, 10**8)}" if self.rng.random() < 0.4 else None

    def russian(self, ref: str) -> Entry:
        rng = self.rng
        gender = rng.choice(("male", "female"))
        first = rng.choice(RU_FIRST_M if gender == "male" else RU_FIRST_F)
        father = rng.choice(RU_FIRST_M)
        patronymic = father + ("ович" if gender == "male" else "овна")
        patronymic = patronymic.replace("йович", "евич").replace("йовна", "евна").replace("аович", "аевич")
        last = _gendered(rng.choice(RU_LAST), gender)
        cyr = [first, patronymic, last]
        table = rng.choice((RU_BGN, RU_ICAO))
        lat = [_translit(p, table) for p in cyr]
        full_lat = f"{lat[0]} {lat[1]} {lat[2].upper()}"
        r = rng.random()
        names = ([(full_lat, "primary"), (" ".join(cyr), "alias")] if r < 0.4 else
                 [(full_lat, "primary")] if r < 0.8 else [(" ".join(cyr), "primary")])
        return Entry(ref, "person", "ru", names, self._dob(), rng.choice(("RU", "RU", "BY", "UA")), gender,
                     self._doc(), {"cyr": cyr, "lat": lat})

    def arabic(self, ref: str) -> Entry:
        rng = self.rng
        gender = "male" if rng.random() < 0.8 else "female"
        first = rng.choice(AR_GIVEN if gender == "male" else AR_GIVEN_F)
        chain = [first, *rng.sample(AR_GIVEN, rng.choice((1, 2)))]
        family = rng.choice(AR_FAMILY)
        parts = [*chain, family]
        spell = [rng.choice(p[1]) for p in parts]
        latin = " ".join(spell[:-1]) + " " + spell[-1]
        script = " ".join(p[0] for p in parts)
        names = [(latin, "primary")] + ([(script, "alias")] if rng.random() < 0.4 else [])
        if rng.random() < 0.3:
            names.append((f"Abu {rng.choice(rng.choice(AR_GIVEN)[1])}", "weak_alias"))
        return Entry(ref, "person", "ar", names, self._dob(), rng.choice(("IQ", "SY", "YE", "SA", "LB", "LY", "SD")),
                     gender, self._doc(), {"parts": parts, "spell": spell})

    def greek(self, ref: str) -> Entry:
        rng = self.rng
        first, last = rng.choice(GR_FIRST), rng.choice(GR_LAST)
        gender = "female" if first[1] in ("Maria", "Eleni", "Aikaterini", "Sofia") else "male"
        names = [(f"{first[1]} {last[1]}", "primary")] + ([(f"{first[0]} {last[0]}", "alias")]
                                                          if rng.random() < 0.4 else [])
        return Entry(ref, "person", "gr", names, self._dob(), rng.choice(("GR", "CY")), gender, self._doc(),
                     {"first": first, "last": last})

    def spanish(self, ref: str) -> Entry:
        rng = self.rng
        gender = rng.choice(("male", "female"))
        given = rng.sample(ES_FIRST_M if gender == "male" else ES_FIRST_F, rng.choice((1, 2)))
        fam = rng.sample(ES_LAST, 2)
        name = f"{' '.join(given)} {' '.join(f.upper() for f in fam)}"
        return Entry(ref, "person", "es", [(name, "primary")], self._dob(), rng.choice(("VE", "CO", "MX", "ES", "CU")),
                     gender, self._doc(), {"given": given, "family": fam})

    def western(self, ref: str) -> Entry:
        rng = self.rng
        gender = rng.choice(("male", "female"))
        given = rng.sample(EN_FIRST_M if gender == "male" else EN_FIRST_F, rng.choice((1, 1, 2)))
        fam = rng.choice(EN_LAST)
        return Entry(ref, "person", "en", [(f"{' '.join(given)} {fam}", "primary")], self._dob(),
                     rng.choice(("GB", "US", "DE", "FR", "IT", "NL", "PL")), gender, self._doc(),
                     {"given": given, "family": fam})

    def entity(self, ref: str) -> Entry:
        rng = self.rng
        name = f"{rng.choice(ADJ)} {rng.choice(NOUN)} {rng.choice(TRADE)} {rng.choice(FORMS)}"
        return Entry(ref, "entity", "entity", [(name, "primary")], None, rng.choice(("CN", "HK", "AE", "IR", "RU")), "",
                     self._doc())

    def entries(self, n: int) -> list[Entry]:
        shares = [("cn", 0.30), ("hk", 0.07), ("mo", 0.03), ("tw", 0.04), ("ru", 0.14), ("ar", 0.18),
                  ("gr", 0.03), ("es", 0.07), ("en", 0.08), ("entity", 0.06)]
        cultures, weights = zip(*shares, strict=True)
        out = []
        for i in range(n):
            c = self.rng.choices(cultures, weights=weights)[0]
            ref = f"bq-{i:06d}"
            out.append(self.chinese(ref, c) if c in ("cn", "hk", "mo", "tw") else
                       {"ru": self.russian, "ar": self.arabic, "gr": self.greek, "es": self.spanish,
                        "en": self.western, "entity": self.entity}[c](ref))
        return out


def _gendered(last: str, gender: str) -> str:
    """A Russian family name in the form a person of ``gender`` carries (Petrov, Petrova)."""
    return last + "а" if gender == "female" and last.endswith(("ов", "ёв", "ев", "ин")) else last


def _translit(text: str, table: dict[str, str]) -> str:
    out = "".join(table.get(ch, table.get(ch.lower(), ch)) for ch in text.lower())
    return out.capitalize()


def _typo(rng: random.Random, text: str) -> str:
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if len(letters) < 6:
        return text
    i = rng.choice(letters[1:])
    op = rng.randrange(4)
    if op == 0:
        chars[i] = rng.choice("aeiounrstl")
    elif op == 1:
        del chars[i]
    elif op == 2:
        chars.insert(i, chars[i])
    elif i + 1 < len(chars) and chars[i + 1].isalpha():
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


# ---- the truth: which names are on the list --------------------------------------------------------
def _fold_spelling(text: str) -> str:
    return _strip_accents(text.replace("ü", "u")).replace("-", " ").replace("'", "").lower()


@lru_cache(maxsize=1)
def _s2t():
    from opencc import OpenCC  # truth only: characters outside the pools (homophones)
    return OpenCC("s2t")


_POOL_TRAD = {s: t for s, t, _w in SURNAMES} | dict(COMPOUND_SURNAMES) | dict(GIVEN_M) | dict(GIVEN_F)


def _trad(simp: str) -> str:
    sur = next((s for s, _t in COMPOUND_SURNAMES if simp.startswith(s)), "")
    if sur:
        return _POOL_TRAD[sur] + _trad(simp[len(sur):])
    return "".join(_POOL_TRAD.get(ch) or str(_s2t().convert(ch)) for ch in simp)


@cache
def _toneless_jyutping(ch: str) -> str:
    import ToJyutping  # truth only: which listed characters a homophone reads like in Cantonese
    found = ToJyutping.get_jyutping_list(ch)
    return found[0][1].split(" ")[0].rstrip("123456") if found and found[0][1] else ""


def _given_spellings(ch: str, table: dict[str, list[str]]) -> set[str]:
    """A character's hand-listed spellings; a character outside the table (a homophone) takes those
    of the table's characters that read alike in Cantonese (为 is WAI like 偉)."""
    if ch in table:
        return {s.lower() for s in table[ch]}
    reading = _toneless_jyutping(ch)
    return {s.lower() for c, spell in table.items() if reading and _toneless_jyutping(c) == reading for s in spell}


@cache
def _spellings(simp: str) -> frozenset[tuple[str, str]]:
    """(family, given) of a Chinese name in pinyin, Wade-Giles and the Hong Kong / Macau spellings
    (the generator's own tables), to recognise a customer whose name a Latin-only entry spells."""
    n = 2 if any(simp.startswith(c) for c, _t in COMPOUND_SURNAMES) else 1
    sur, given = simp[:n], simp[n:]
    out = {("".join(_py(sur)), "".join(_py(given)))}
    trad = _trad(simp)
    wg = [_fold_spelling(_wg_syllable(x)) for x in _py(simp)]
    for fam in ["".join(wg[:n])] + [f.lower() for f in TW_SURNAMES.get(trad[:n], [])]:
        out.add((fam, "".join(wg[n:])))
    for surnames, table in ((HK_SURNAMES, HK_GIVEN), (MO_SURNAMES, MO_GIVEN)):
        givens = [""]
        for ch in trad[n:]:
            givens = [g + s for g in givens for s in _given_spellings(ch, table)]
        out.update(("".join(_fold_spelling(f).split()), g) for f in surnames.get(trad[:n], []) for g in givens)
    return frozenset(out)


_PARTICLES = ("al", "abu", "bin", "de", "van", "von", "da", "di")


def _fold_words(text: str) -> list[str]:
    return [w for w in _strip_accents(text).casefold().replace("-", " ").split() if w not in _PARTICLES]


# Every Latin spelling of an Arabic name stands for that name (Fatma and Fatima are both فاطمة),
# and a given name stands for its equivalents in other languages (Pierre is Peter): two customers
# differing only so are the same name, as the name_equivalent category has it.
_AR_SPELLINGS = {tuple(_fold_words(spell)): script for script, spells in AR_GIVEN + AR_GIVEN_F + AR_FAMILY
                 for spell in spells} | {(_strip_accents(v).casefold(),): k.casefold()
                                         for k, vs in EQUIVALENT_LATIN.items() for v in [k, *vs]}


def _canonical_words(text: str) -> tuple[str, ...]:
    words, out, i = _fold_words(text), [], 0
    while i < len(words):
        for n in (2, 1):
            script = _AR_SPELLINGS.get(tuple(words[i:i + n]))
            if script and i + n <= len(words):
                out.append(script)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return tuple(out)


def _latin_key(text: str) -> frozenset[str]:
    return frozenset(_canonical_words(text))


def _family_word(text: str) -> str:
    """The first word a name shows as its family name (capitals among others), else its last."""
    words = text.split()
    caps = [w for w in words if w.isupper() and sum(c.isalpha() for c in w) >= 2 and w.casefold() not in _PARTICLES]
    pick = caps[0] if caps and len(caps) < len(words) else words[-1]
    return (_canonical_words(pick) or ("",))[0]


class Truth:
    """Every listed name, to keep non-match customers off the list: a customer named exactly like an
    entry (in characters, or in the same Latin words) is not a clean customer."""

    def __init__(self, entries: list[Entry]):
        self.han: set[str] = set()
        self.latin: set[frozenset[str]] = set()
        # A listed name's words by its first word, with its family word: a customer named by the
        # listed first name and family name with middle names (or a second surname) left out is
        # that listed name to any screener without more data (the missing_part category).
        self.by_first: dict[str, list[tuple[frozenset[str], str]]] = {}
        self.pinyin_han_less: set[str] = set()  # pinyin of entries that list no characters
        self.chinese_latin: set[tuple[str, str]] = set()  # (family, given) of Chinese names listed in Latin only
        for e in entries:
            for text, _t in e.names:
                if any("\u4e00" <= c <= "\u9fff" for c in text):
                    self.han.add(text)
                else:
                    self.latin.add(_latin_key(text))
                    self._add_contained(text)
            if e.culture == "cn" and not any(any("\u4e00" <= c <= "\u9fff" for c in t) for t, _ in e.names):
                self.pinyin_han_less.add("".join(_py(e.parts["simp"])))
            if e.culture == "ru":  # the Cyrillic name in both Latin conventions is the listed name
                for table in (RU_BGN, RU_ICAO):
                    self.latin.add(_latin_key(" ".join(_translit(p, table) for p in e.parts["cyr"])))
                    lat = [_translit(p, table) for p in e.parts["cyr"]]
                    self._add_contained(f"{lat[0]} {lat[1]} {lat[2].upper()}")
            if e.culture in ("cn", "tw", "hk", "mo") and not _has_han(e):
                # Listed in Latin letters only: any customer whose name is spelt so is that name.
                words = _fold_spelling(e.parts["latin"]).split()
                self.chinese_latin.update({(words[0], "".join(words[1:])), (words[-1], "".join(words[:-1]))})
            if e.parts.get("simp"):
                self.han.add(e.parts["simp"])
                self.han.add(e.parts["trad"])
                # Every spelling of a listed Chinese name is the listed name.
                self.latin.add(frozenset(["".join(_py(e.parts["sur_s"])), "".join(_py(e.parts["given_s"]))]))

    def han_free(self, simp: str) -> bool:
        return (simp not in self.han and "".join(_py(simp)) not in self.pinyin_han_less
                and not (_spellings(simp) & self.chinese_latin))

    def _add_contained(self, text: str) -> None:
        words = _canonical_words(text)
        if len(words) >= 3:
            self.by_first.setdefault(words[0], []).append((frozenset(words), _family_word(text)))

    def _contained(self, text: str) -> bool:
        words = frozenset(_canonical_words(text))
        return len(words) >= 2 and any(words <= listed and fam in words for w in words
                                       for listed, fam in self.by_first.get(w, ()) if w in words)

    def latin_free(self, text: str) -> bool:
        if any("\u0400" <= c <= "\u04ff" for c in text):
            return all(self.latin_free(" ".join(_translit(w, t) if any("\u0400" <= c <= "\u04ff" for c in w) else w
                                                for w in text.split())) for t in (RU_BGN, RU_ICAO))
        return _latin_key(text) not in self.latin and not self._contained(text)


# ---- queries -----------------------------------------------------------------------------------------
def _customer_dob(rng: random.Random, e: Entry) -> str:
    if e.dob and len(e.dob) == 10:
        return e.dob
    year = int(e.dob) if e.dob else rng.randrange(1940, 2000)
    return (date(year, 1, 1) + timedelta(days=rng.randrange(0, 365))).isoformat()


def _other_dob(rng: random.Random, dob: str | None) -> str:
    base = int(dob[:4]) if dob else 1970
    while True:
        year = rng.randrange(1940, 2004)
        if abs(year - base) >= 3:
            return (date(year, 1, 1) + timedelta(days=rng.randrange(0, 365))).isoformat()


def _pinyin_latin(simp: str, sur: str, rng: random.Random) -> str:
    return _latin_order("".join(_py(sur)), _py(simp[len(sur):]), rng)


def _has_han(e: Entry) -> bool:
    return any(any("\u4e00" <= c <= "\u9fff" for c in t) for t, _ in e.names)


class QueryMaker:
    def __init__(self, entries: list[Entry], seed: int):
        self.rng = random.Random(seed)
        self.entries = entries
        self.truth = Truth(entries)
        self.by_culture: dict[str, list[Entry]] = {}
        for e in entries:
            self.by_culture.setdefault(e.culture, []).append(e)

    def _pick(self, cultures: tuple[str, ...], cond=lambda e: True) -> Entry:
        pool = [e for c in cultures for e in self.by_culture.get(c, [])]
        for _ in range(1000):
            e = self.rng.choice(pool)
            if cond(e):
                return e
        raise RuntimeError(f"no entry for {cultures}")

    def _q(self, cat: str, e: Entry | None, names: list[str], dob: str | None = None, nat: str | None = None,
           gender: str | None = None) -> Query:
        return Query("", cat, e.ref if e else None, names, dob if dob is not None else (_customer_dob(self.rng, e)
                     if e else None), nat or (e.nationality if e else "CN"), gender or (e.gender if e else ""))

    # ---- match categories ----
    def make(self, cat: str) -> Query | None:
        rng = self.rng
        if cat == "exact":
            e = self._pick(("cn", "hk", "ru", "ar", "es", "en", "gr", "tw", "mo"))
            return self._q(cat, e, [e.names[0][0]])
        if cat == "reordered":
            e = self._pick(("cn", "ru", "ar", "es", "en", "hk"), lambda e: not _has_han(e) or len(e.names) > 1)
            latin = next(t for t, _ in e.names if not any("\u4e00" <= c <= "\u9fff" for c in t))
            words = latin.split()
            if e.culture == "ru" and rng.random() < 0.5:
                words = [words[-1], words[0], words[1]]   # surname first, as Russian documents write it
            else:
                words = words[-1:] + words[:-1] if rng.random() < 0.5 else list(reversed(words))
            return self._q(cat, e, [" ".join(words)])
        if cat == "typo":
            e = self._pick(("cn", "ru", "ar", "es", "en", "gr", "hk"), lambda e: not e.names[0][0][0] >= "\u4e00")
            return self._q(cat, e, [_typo(rng, e.names[0][0])])
        if cat == "pinyin_of_han":
            e = self._pick(("cn",), lambda e: e.names[0][0] == e.parts["simp"] and len(e.names) == 1)
            return self._q(cat, e, [_pinyin_latin(e.parts["simp"], e.parts["sur_s"], rng)])
        if cat == "han_of_pinyin":
            e = self._pick(("cn",), lambda e: not _has_han(e))
            return self._q(cat, e, [e.parts["simp"] if rng.random() < 0.7 else e.parts["trad"]])
        if cat == "wade_giles":
            if rng.random() < 0.5:  # a Taiwan passport spelling against a mainland entry
                e = self._pick(("cn",), _has_han)
                fam, given = "".join(_wg(e.parts["sur_s"], rng, e.parts["sur_t"])), _wg(e.parts["given_s"], rng)
                return self._q(cat, e, [_latin_order(fam, given, rng, hyphen=True)])
            e = self._pick(("tw",), lambda e: not _has_han(e))  # a Wade-Giles entry, a mainland customer
            return self._q(cat, e, [e.parts["simp"], _pinyin_latin(e.parts["simp"], e.parts["sur_s"], rng)])
        if cat in ("hk_cantonese", "macau"):
            culture, table = ("hk", HK_SURNAMES) if cat == "hk_cantonese" else ("mo", MO_SURNAMES)
            if rng.random() < 0.5:  # the list spells the Cantonese way, the customer has a mainland ID
                e = self._pick((culture,), lambda e: not _has_han(e))
                return self._q(cat, e, [e.parts["simp"], _pinyin_latin(e.parts["simp"], e.parts["sur_s"], rng)])
            e = self._pick(("cn",), lambda e: _has_han(e) and e.parts["sur_t"] in table)
            fam = rng.choice(table[e.parts["sur_t"]])
            given = _cantonese(e.parts["given_t"], "hk" if culture == "hk" else "mo", rng)
            return self._q(cat, e, [f"{fam} {' '.join(g.capitalize() for g in given)}"])
        if cat == "trad_simp":
            if rng.random() < 0.5:
                e = self._pick(("cn",), lambda e: _has_han(e) and e.parts["simp"] != e.parts["trad"])
                return self._q(cat, e, [e.parts["trad"]])
            e = self._pick(("hk", "tw", "mo"), lambda e: _has_han(e) and e.parts["simp"] != e.parts["trad"])
            return self._q(cat, e, [e.parts["simp"]])
        if cat == "translit_cyrillic":
            if rng.random() < 0.5:
                e = self._pick(("ru",), lambda e: not any(t[0] >= "\u0400" for t, _ in e.names))
                cyr = e.parts["cyr"]
                return self._q(cat, e, [" ".join(cyr if rng.random() < 0.5 else [cyr[2], cyr[0], cyr[1]])])
            e = self._pick(("ru",), lambda e: e.names[0][0][0] >= "\u0400")
            table = rng.choice((RU_BGN, RU_ICAO))
            lat = [_translit(p, table) for p in e.parts["cyr"]]
            return self._q(cat, e, [f"{lat[0]} {lat[2].upper()}" if rng.random() < 0.3 else
                                    f"{lat[2].upper()} {lat[0]} {lat[1]}"])
        if cat == "translit_arabic":
            e = self._pick(("ar",), lambda e: len(e.names) == 1 or e.names[1][1] != "alias")
            return self._q(cat, e, [" ".join(p[0] for p in e.parts["parts"])])
        if cat == "translit_greek":
            e = self._pick(("gr",), lambda e: len(e.names) == 1)
            return self._q(cat, e, [f"{e.parts['first'][0]} {e.parts['last'][0]}"])
        if cat == "name_equivalent":
            if rng.random() < 0.7:
                e = self._pick(("ar",), lambda e: any(len(p[1]) > 1 for p in e.parts["parts"]))
                spell = [rng.choice([s for s in p[1] if s != cur] or [cur])
                         for p, cur in zip(e.parts["parts"], e.parts["spell"], strict=True)]
                return self._q(cat, e, [" ".join(spell)])
            e = self._pick(("en",), lambda e: e.parts["given"][0] in EQUIVALENT_LATIN)
            other = rng.choice(EQUIVALENT_LATIN[e.parts["given"][0]])
            return self._q(cat, e, [f"{other} {e.parts['family']}"])
        if cat == "missing_part":
            e = self._pick(("ru", "ar", "es", "en"), lambda e: len(e.names[0][0].split()) >= 3)
            words = e.names[0][0].split()
            drop = rng.randrange(1, len(words) - 1) if e.culture != "es" else len(words) - 1
            return self._q(cat, e, [" ".join(w for i, w in enumerate(words) if i != drop)])
        if cat == "dob_year_off":
            e = self._pick(("cn", "ru", "ar", "es", "en", "hk"), lambda e: bool(e.dob) and len(e.dob) == 10)
            d = date.fromisoformat(e.dob or "")
            shifted = d.replace(year=d.year + rng.choice((-1, 1)), day=min(d.day, 28))
            return self._q(cat, e, [e.names[0][0]], dob=shifted.isoformat())
        if cat == "dob_conflict":
            e = self._pick(("cn", "ru", "ar", "es", "en", "hk"), lambda e: bool(e.dob) and len(e.dob) == 10)
            return self._q(cat, e, [e.names[0][0]], dob=_other_dob(rng, e.dob))
        return self.make_negative(cat)

    # ---- non-match categories ----
    def _chinese_customer(self, simp: str, sur: str, e: Entry | None = None) -> Query | None:
        if not self.truth.han_free(simp):
            return None
        rng = self.rng
        names = [simp, _pinyin_latin(simp, sur, rng)] if rng.random() < 0.8 else [simp]
        gender = rng.choice(("male", "female"))
        return self._q("", None, names, dob=_other_dob(rng, e.dob if e else None), nat="CN", gender=gender)

    def make_negative(self, cat: str) -> Query | None:
        rng = self.rng
        q: Query | None = None
        if cat == "neg_same_surname":
            if rng.random() < 0.6:
                e = self._pick(("cn",), _has_han)
                pool = GIVEN_M if e.gender == "male" else GIVEN_F
                given = "".join(rng.choice(pool)[0] for _ in range(len(e.parts["given_s"])))
                if _py(given) == _py(e.parts["given_s"]):
                    return None
                q = self._chinese_customer(e.parts["sur_s"] + given, e.parts["sur_s"], e)
            else:
                e = self._pick(("ar", "ru", "es", "en"))
                words = e.names[0][0].split()
                pool = {"ar": [s for p in AR_GIVEN for s in p[1]],
                        "ru": [_translit(x, RU_BGN) for x in (RU_FIRST_M if e.gender == "male" else RU_FIRST_F)],
                        "es": ES_FIRST_M, "en": EN_FIRST_M}[e.culture]
                name = f"{rng.choice(pool)} {words[-1]}"
                if not self.truth.latin_free(name) or name.split()[0] in words:
                    return None
                q = self._q("", None, [name], dob=_other_dob(rng, e.dob), nat=e.nationality, gender=e.gender)
        elif cat == "neg_homophone":
            e = self._pick(("cn",), lambda e: _has_han(e) and any(c in HOMOPHONES for c in e.parts["given_s"]))
            given = e.parts["given_s"]
            i = next(i for i, c in enumerate(given) if c in HOMOPHONES)
            swapped = given[:i] + rng.choice(HOMOPHONES[given[i]]) + given[i + 1:]
            if _py(swapped) != _py(given):
                return None
            simp = e.parts["sur_s"] + swapped
            if not self.truth.han_free(simp):
                return None
            # The customer's ID gives characters and pinyin; the pinyin equals the entry's.
            q = self._q("", None, [simp, _pinyin_latin(simp, e.parts["sur_s"], rng)], dob=_other_dob(rng, e.dob),
                        nat="CN", gender=e.gender)
        elif cat == "neg_common_name":
            gender = rng.choice(("male", "female"))
            sur_s, _t, _w = rng.choice(SURNAMES[:8])
            pool = GIVEN_M if gender == "male" else GIVEN_F
            simp = sur_s + "".join(rng.choice(pool[:12])[0] for _ in range(rng.choice((1, 2))))
            q = self._chinese_customer(simp, sur_s)
        elif cat == "neg_swapped_surname":
            # 应丽 (family name Ying) against LI Ying: the same syllables, the family name swapped.
            e = self._pick(("cn",), lambda e: len(e.parts["given_s"]) == 1 and len(e.parts["sur_s"]) == 1)
            sur_py, given_py = _py(e.parts["sur_s"])[0], _py(e.parts["given_s"])[0]
            new_sur = [s for s, _t, _w in SURNAMES if _py(s)[0] == given_py and s != e.parts["sur_s"]]
            new_given = [g for g, _t in GIVEN_M + GIVEN_F if _py(g)[0] == sur_py]
            if not new_sur or not new_given:
                return None
            simp = rng.choice(new_sur) + rng.choice(new_given)
            q = self._chinese_customer(simp, simp[0], e)
        elif cat == "neg_same_given":
            e = self._pick(("ar", "ru", "es", "en", "cn"))
            if e.culture == "cn":
                sur = rng.choice([s for s, _t, _w in SURNAMES if _py(s) != _py(e.parts["sur_s"])])
                q = self._chinese_customer(sur + e.parts["given_s"], sur, e)
            else:
                words = e.names[0][0].split()
                pool = {"ar": [s for p in AR_FAMILY for s in p[1]], "ru": [_translit(_gendered(x, e.gender), RU_BGN).upper() for x in RU_LAST],
                        "es": [x.upper() for x in ES_LAST], "en": EN_LAST}[e.culture]
                name = f"{' '.join(words[:-1])} {rng.choice(pool)}"
                if not self.truth.latin_free(name) or _latin_key(name) == _latin_key(e.names[0][0]):
                    return None
                q = self._q("", None, [name], dob=_other_dob(rng, e.dob), nat=e.nationality, gender=e.gender)
        elif cat == "neg_clean":
            c = rng.choice(("cn", "cn", "cn", "ar", "ru", "es", "en", "gr"))
            if c == "cn":
                gender = rng.choice(("male", "female"))
                simp, _trad, sur, _st = Generator(rng.randrange(10**9))._han_name(gender)
                q = self._chinese_customer(simp, sur)
            else:
                e = {"ar": Generator(rng.randrange(10**9)).arabic, "ru": Generator(rng.randrange(10**9)).russian,
                     "es": Generator(rng.randrange(10**9)).spanish, "en": Generator(rng.randrange(10**9)).western,
                     "gr": Generator(rng.randrange(10**9)).greek}[c]("x")
                name = e.names[0][0]
                if not self.truth.latin_free(name):
                    return None
                q = self._q("", None, [name], dob=_other_dob(rng, None), nat=e.nationality, gender=e.gender)
        if q is not None:
            q.category = cat
        return q


def build(n_entries: int = 30_000, per_match: int = 80, per_nonmatch: int = 80, n_clean: int = 400,
          seed: int = 20261203) -> tuple[list[Entry], list[Query]]:
    entries = Generator(seed).entries(n_entries)
    maker = QueryMaker(entries, seed + 1)
    queries: list[Query] = []
    plan = [(c, per_match) for c in MATCH_CATEGORIES] + \
           [(c, n_clean if c == "neg_clean" else per_nonmatch) for c in NONMATCH_CATEGORIES]
    for cat, count in plan:
        made, tries = 0, 0
        while made < count and tries < count * 50:
            tries += 1
            q = maker.make(cat)
            if q is None:
                continue
            q.qid = f"{cat}-{made:04d}"
            queries.append(q)
            made += 1
    return entries, queries


if __name__ == "__main__":
    import collections
    import sys

    es, qs = build(int(sys.argv[1]) if len(sys.argv) > 1 else 30_000)
    print(len(es), "entries;", len(qs), "queries")
    print(collections.Counter(e.culture for e in es))
    by = collections.defaultdict(list)
    for q in qs:
        by[q.category].append(q)
    for cat, items in by.items():
        print(f"{cat:22} {len(items):4}  e.g. {items[0].names} {items[0].birth_date} -> {items[0].expect}")
