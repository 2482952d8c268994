"""Cohort CSV columns by their names in the programme's languages, and value words."""
# Besides their codes, countries, sectors and sexes may be written as words (Thailand,
# ไทย; ศาล for the judiciary; หญิง, F); header cells and values are compared after
# key_of (case-folded, without the punctuation people put around words).
from __future__ import annotations

import functools
import re
import unicodedata

from lms.accounts.choices import COUNTRIES, SECTORS, SEXES

REQUIRED = ("email", "name")
COLUMNS = ("email", "name", "country", "sector", "sex", "organisation", "language")

# English, Thai, Lao, Khmer, Burmese, Vietnamese, Indonesian, Malay, Filipino.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("email", "e-mail", "email address", "e-mail address", "mail",
              "อีเมล", "อีเมล์", "อีเมลล์", "ที่อยู่อีเมล", "ອີເມວ", "ອີເມລ", "ອີແມລ",
              "អ៊ីមែល", "អ៊ីម៉ែល", "អុីមែល", "အီးမေးလ်", "အီးမေးလ်လိပ်စာ",
              "thư điện tử", "địa chỉ email", "surel", "alamat email", "e-mel", "emel",
              "alamat e-mel"),
    "name": ("name", "full name", "fullname", "name on certificate", "participant name",
             "ชื่อ", "ชื่อ-นามสกุล", "ชื่อ นามสกุล", "ชื่อและนามสกุล", "ชื่อ-สกุล",
             "ชื่อเต็ม", "ຊື່", "ຊື່ ແລະ ນາມສະກຸນ", "ຊື່ ນາມສະກຸນ", "ຊື່ເຕັມ", "ឈ្មោះ",
             "ឈ្មោះពេញ", "គោត្តនាម និងនាម", "အမည်", "နာမည်", "အမည်အပြည့်အစုံ",
             "họ và tên", "họ tên", "tên", "nama", "nama lengkap", "nama penuh",
             "pangalan", "buong pangalan"),
    "country": ("country", "country code", "ประเทศ", "ປະເທດ", "ប្រទេស", "နိုင်ငံ",
                "quốc gia", "nước", "negara", "bansa"),
    "sector": ("sector", "ภาคส่วน", "สาขา", "ภาค", "ຂະແໜງ", "ຂະແໜງການ", "ຂະແຫນງການ",
               "វិស័យ", "ကဏ္ဍ", "lĩnh vực", "ngành", "sektor", "bidang"),
    "sex": ("sex", "gender", "เพศ", "ເພດ", "ភេទ", "ကျား/မ", "လိင်", "giới tính",
            "jenis kelamin", "jantina", "kasarian"),
    "organisation": ("organisation", "organization", "org", "agency", "employer",
                     "institution", "หน่วยงาน", "องค์กร", "สังกัด", "ອົງການ", "ຫົວໜ່ວຍ",
                     "ໜ່ວຍງານ", "អង្គភាព", "ស្ថាប័ន", "អង្គការ", "အဖွဲ့အစည်း", "ဌာန",
                     "tổ chức", "cơ quan", "đơn vị", "organisasi", "instansi", "lembaga",
                     "agensi", "jabatan", "organisasyon", "ahensya", "tanggapan"),
    "language": ("language", "locale", "ภาษา", "ພາສາ", "ភាសា", "ဘာသာစကား", "ngôn ngữ",
                 "bahasa", "wika"),
}

_SEPARATORS = re.compile(r"[\s_\-./:*()\[\]]+")


@functools.lru_cache(maxsize=4096)  # the same few countries and sectors, row after row
def key_of(text: str) -> str:
    """A header cell or a value as it is looked up: NFC, case-folded, without the
    punctuation people put around words ("E-mail *", "ชื่อ-นามสกุล")."""
    text = unicodedata.normalize("NFC", text).casefold().replace("\ufeff", "")
    return _SEPARATORS.sub(" ", text).strip()


HEADERS: dict[str, str] = {key_of(alias): column for column, aliases in
                           HEADER_ALIASES.items() for alias in (column, *aliases)}

COUNTRY_CODES = [code for code, _label in COUNTRIES] + ["ZZ"]
SECTOR_CODES = [code for code, _label in SECTORS] + ["undisclosed"]
SEX_CODES = [code for code, _label in SEXES]

_COUNTRY_WORDS = {
    "BN": ("brunei", "brunei darussalam", "บรูไน", "ບຣູໄນ"),
    "KH": ("cambodia", "kampuchea", "กัมพูชา", "ກຳປູເຈຍ", "កម្ពុជា"),
    "ID": ("indonesia", "อินโดนีเซีย"),
    "LA": ("lao pdr", "laos", "lao", "ลาว", "ສປປ ລາວ", "ລາວ"),
    "MY": ("malaysia", "มาเลเซีย"),
    "MM": ("myanmar", "burma", "เมียนมา", "พม่า", "မြန်မာ"),
    "PH": ("philippines", "pilipinas", "ฟิลิปปินส์"),
    "SG": ("singapore", "singapura", "สิงคโปร์"),
    "TH": ("thailand", "ไทย", "ประเทศไทย", "ໄທ", "ថៃ", "ထိုင်း"),
    "TL": ("timor-leste", "timor leste", "east timor", "ติมอร์-เลสเต"),
    "VN": ("viet nam", "vietnam", "việt nam", "เวียดนาม", "ຫວຽດນາມ", "វៀតណាម"),
    "XX": ("other", "other country"),
    "ZZ": ("undisclosed", "prefer not to say", "ไม่ระบุ"),
}
_SECTOR_WORDS = {
    "judiciary": ("court", "courts", "judge", "judges", "ศาล", "ผู้พิพากษา"),
    "prosecution": ("prosecutor", "prosecutors", "อัยการ"),
    "police": ("ตำรวจ", "ຕຳຫຼວດ", "នគរបាល", "ရဲ", "công an", "polisi", "polis", "pulis"),
    "immigration": ("ตรวจคนเข้าเมือง", "imigrasi", "xuất nhập cảnh"),
    "labour": ("labour inspection", "labor", "labor inspection", "แรงงาน"),
    "social_work": ("social work", "social worker", "social welfare", "สังคมสงเคราะห์",
                    "พัฒนาสังคม"),
    "ngo": ("non-governmental organisation", "non-governmental organization",
            "องค์กรพัฒนาเอกชน", "เอ็นจีโอ"),
    "other": ("อื่นๆ", "อื่น ๆ", "อื่น"),
    "undisclosed": ("prefer not to say", "ไม่ระบุ"),
}
_SEX_WORDS = {
    "female": ("f", "woman", "หญิง", "เพศหญิง", "ຍິງ", "ស្រី", "မ", "nữ", "perempuan",
               "wanita", "babae"),
    "male": ("m", "man", "ชาย", "เพศชาย", "ຊາຍ", "ប្រុស", "ကျား", "nam", "laki-laki",
             "lelaki", "pria", "lalaki"),
    "other": ("another way", "อื่นๆ", "อื่น ๆ"),
    "undisclosed": ("prefer not to say", "ไม่ระบุ"),
}


def _table(codes: list[str], words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table = {key_of(code): code for code in codes}
    table.update({key_of(word): code for code, aliases in words.items() for word in aliases})
    return table


COUNTRY_VALUES = _table(COUNTRY_CODES, _COUNTRY_WORDS)
SECTOR_VALUES = _table(SECTOR_CODES, _SECTOR_WORDS)
SEX_VALUES = _table(SEX_CODES, _SEX_WORDS)
