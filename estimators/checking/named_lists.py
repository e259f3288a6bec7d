"""Several lists of named victims (Arabic names) drawn from one population with known truth.

The test bed for record linkage (`estimators.link_lists`): who is who across the lists is
known, so linkage precision/recall and the coverage of the population estimate built
on the linked capture histories can be measured. Re-exported as
``estimators.simulate.named_lists``.
"""

from __future__ import annotations

import bisect
import datetime
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._checks import check_seed
from ..linkage.arabic import TATWEEL as _TATWEEL

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SimulatedNamedLists", "named_lists"]


# -- name pools: (Arabic, a plain Latin romanisation), most common first ---------------------

# Men's given names, Syrian and Iraqi (also the pool of fathers' and grandfathers' names).
MALE_NAMES = (
    ("محمد", "Muhammad"), ("أحمد", "Ahmad"), ("محمود", "Mahmud"), ("علي", "Ali"),
    ("عبد الله", "Abdullah"), ("خالد", "Khalid"), ("حسن", "Hasan"), ("عمر", "Umar"),
    ("مصطفى", "Mustafa"), ("إبراهيم", "Ibrahim"), ("يوسف", "Yusuf"), ("حسين", "Husayn"),
    ("عبد الرحمن", "Abd al-Rahman"), ("عبد الكريم", "Abd al-Karim"), ("عبد القادر", "Abd al-Qadir"),
    ("إسماعيل", "Ismail"), ("عثمان", "Uthman"), ("أبو بكر", "Abu Bakr"), ("نور الدين", "Nur al-Din"),
    ("صلاح الدين", "Salah al-Din"), ("علاء الدين", "Ala al-Din"), ("عبد الرزاق", "Abd al-Razzaq"),
    ("عبد العزيز", "Abd al-Aziz"), ("عبد الحميد", "Abd al-Hamid"), ("هيثم", "Haytham"),
    ("مؤمن", "Mumin"), ("بلال", "Bilal"), ("علاء", "Ala"), ("عماد", "Imad"), ("سامر", "Samer"),
    ("سمير", "Samir"), ("وليد", "Walid"), ("فراس", "Firas"), ("ماهر", "Mahir"), ("باسل", "Basil"),
    ("جمال", "Jamal"), ("كمال", "Kamal"), ("رامي", "Rami"), ("طارق", "Tariq"), ("زياد", "Ziyad"),
    ("ياسر", "Yasir"), ("أسامة", "Usama"), ("حمزة", "Hamza"), ("أنس", "Anas"), ("معاذ", "Muadh"),
    ("عيسى", "Isa"), ("موسى", "Musa"), ("يحيى", "Yahya"), ("زكريا", "Zakariya"),
    ("سليمان", "Sulayman"), ("داود", "Dawud"), ("هاني", "Hani"), ("فادي", "Fadi"),
    ("غسان", "Ghassan"), ("نبيل", "Nabil"), ("رياض", "Riyad"), ("منير", "Munir"), ("قاسم", "Qasim"),
    ("جاسم", "Jasim"), ("حيدر", "Haydar"), ("عباس", "Abbas"), ("كاظم", "Kazim"), ("رائد", "Raid"),
    ("وائل", "Wail"), ("مازن", "Mazin"), ("طه", "Taha"), ("عدنان", "Adnan"), ("نزار", "Nizar"),
    ("شادي", "Shadi"), ("أيمن", "Ayman"), ("إياد", "Iyad"), ("مهند", "Muhannad"),
)

# Women's given names, Syrian and Iraqi.
FEMALE_NAMES = (
    ("فاطمة", "Fatima"), ("مريم", "Maryam"), ("عائشة", "Aisha"), ("خديجة", "Khadija"),
    ("زينب", "Zaynab"), ("نور", "Nur"), ("هدى", "Huda"), ("سلمى", "Salma"), ("آمنة", "Amina"),
    ("رقية", "Ruqayya"), ("أسماء", "Asma"), ("سارة", "Sara"), ("ليلى", "Layla"), ("منى", "Muna"),
    ("هبة", "Hiba"), ("رنا", "Rana"), ("ريم", "Rim"), ("دعاء", "Dua"), ("آلاء", "Ala"),
    ("إسراء", "Isra"), ("بشرى", "Bushra"), ("حنان", "Hanan"), ("سعاد", "Suad"), ("سميرة", "Samira"),
    ("نادية", "Nadia"), ("وفاء", "Wafa"), ("أمل", "Amal"), ("رغد", "Raghad"), ("جنى", "Jana"),
    ("لمى", "Lama"), ("ياسمين", "Yasmin"), ("شيماء", "Shayma"), ("حليمة", "Halima"),
    ("صفية", "Safiyya"), ("نجلاء", "Najla"), ("غادة", "Ghada"), ("رهف", "Rahaf"),
    ("تسنيم", "Tasnim"), ("بتول", "Batul"), ("إيمان", "Iman"), ("زهراء", "Zahra"), ("سهام", "Siham"),
    ("عبير", "Abir"), ("لينا", "Lina"), ("كوثر", "Kawthar"), ("نوال", "Nawal"),
)

# Family names: most with the article ال, some without (Syrian, and Iraqi tribal names).
FAMILY_NAMES = (
    ("الحسن", "al-Hasan"), ("الأحمد", "al-Ahmad"), ("المحمد", "al-Muhammad"), ("العلي", "al-Ali"),
    ("الخطيب", "al-Khatib"), ("النجار", "al-Najjar"), ("الحلبي", "al-Halabi"), ("المصري", "al-Masri"),
    ("الشامي", "al-Shami"), ("الحسين", "al-Husayn"), ("الخالد", "al-Khalid"), ("الصالح", "al-Salih"),
    ("العمر", "al-Umar"), ("الحمود", "al-Hamud"), ("الشيخ", "al-Shaykh"), ("الحداد", "al-Haddad"),
    ("الخياط", "al-Khayyat"), ("الدباغ", "al-Dabbagh"), ("الحمصي", "al-Himsi"), ("الإدلبي", "al-Idlibi"),
    ("الحموي", "al-Hamawi"), ("الديري", "al-Dayri"), ("الكردي", "al-Kurdi"), ("التركماني", "al-Turkmani"),
    ("العبيدي", "al-Ubaydi"), ("الجبوري", "al-Jaburi"), ("الدليمي", "al-Dulaymi"), ("الشمري", "al-Shammari"),
    ("العنزي", "al-Anazi"), ("البكري", "al-Bakri"), ("الزعبي", "al-Zubi"), ("الحريري", "al-Hariri"),
    ("المقداد", "al-Miqdad"), ("الرفاعي", "al-Rifai"), ("القاسم", "al-Qasim"), ("السيد", "al-Sayyid"),
    ("الموسى", "al-Musa"), ("العيسى", "al-Isa"), ("اليحيى", "al-Yahya"), ("الحاج", "al-Hajj"),
    ("البيطار", "al-Baytar"), ("العطار", "al-Attar"), ("السقا", "al-Saqqa"), ("الطحان", "al-Tahhan"),
    ("القصاب", "al-Qassab"), ("الجاسم", "al-Jasim"), ("الإبراهيم", "al-Ibrahim"), ("الأسمر", "al-Asmar"),
    ("الأشقر", "al-Ashqar"), ("الأيوبي", "al-Ayyubi"), ("الحمدان", "al-Hamdan"), ("الفارس", "al-Faris"),
    ("الخلف", "al-Khalaf"), ("العبد الله", "al-Abdullah"), ("الحسيني", "al-Husayni"),
    ("النعيمي", "al-Nuaymi"), ("الراوي", "al-Rawi"), ("التكريتي", "al-Tikriti"), ("الهاشمي", "al-Hashimi"),
    ("الجميلي", "al-Jumayli"), ("العاني", "al-Ani"), ("السامرائي", "al-Samarrai"), ("الموصلي", "al-Mawsili"),
    ("البغدادي", "al-Baghdadi"), ("الكبيسي", "al-Kubaysi"), ("الزبيدي", "al-Zubaydi"),
    ("حداد", "Haddad"), ("نجار", "Najjar"), ("خطاب", "Khattab"), ("درويش", "Darwish"), ("شعبان", "Shaban"),
    ("رمضان", "Ramadan"), ("قباني", "Qabbani"), ("حمادة", "Hamada"), ("عبود", "Abbud"), ("سلامة", "Salama"),
    ("بركات", "Barakat"), ("حجازي", "Hijazi"), ("طعمة", "Tuma"), ("زيدان", "Zaydan"), ("شحادة", "Shahada"),
    ("حلاوة", "Halawa"), ("قطان", "Qattan"), ("مراد", "Murad"), ("جمعة", "Juma"), ("خليل", "Khalil"),
    ("نصر", "Nasr"), ("عثمان", "Uthman"),
)

# Places of death: Syrian cities, towns and neighbourhoods.
PLACES = (
    "حلب", "حمص", "دوما", "الرقة", "إدلب", "دير الزور", "درعا", "حماة", "داريا", "دمشق",
    "حرستا", "عربين", "زملكا", "جوبر", "القابون", "برزة", "مخيم اليرموك", "معضمية الشام", "الزبداني",
    "مضايا", "الحولة", "تلبيسة", "الرستن", "القصير", "حي الوعر", "بابا عمرو", "الخالدية",
    "صلاح الدين", "الشعار", "بستان القصر", "الكلاسة", "مساكن هنانو", "منبج", "الباب", "جرابلس",
    "تل أبيض", "سراقب", "معرة النعمان", "خان شيخون", "أريحا", "جسر الشغور", "اللاذقية", "البوكمال",
    "الميادين", "تدمر", "بصرى الشام", "نوى", "الحسكة",
)

# Other spellings of some places (the neighbouring spelling a list may use instead).
PLACE_SPELLINGS = {
    "دير الزور": ("ديرالزور", "دير الزر"), "مخيم اليرموك": ("اليرموك", "مخيم يرموك"),
    "معرة النعمان": ("معرة نعمان", "المعرة"), "حي الوعر": ("الوعر",), "بابا عمرو": ("باباعمرو", "بابا عمر"),
    "معضمية الشام": ("المعضمية", "معضمية"), "بصرى الشام": ("بصرى", "بصري الشام"), "دمشق": ("الشام",),
    "تل أبيض": ("تل ابيض", "تل الأبيض"), "حلب": ("مدينة حلب",), "مساكن هنانو": ("هنانو",),
}

#: The corruption kinds and their base rates: each is applied to a record, independently,
#: with probability ``corruption * rate`` (``rates=`` overrides a kind's rate).
BASE_RATES = {
    "diacritics": 0.3,      # tashkeel added on one to three letters
    "tatweel": 0.1,         # a tatweel (ـ) stretched into a word
    "hamza": 0.5,           # hamza seats dropped or swapped (أ/إ/آ -> ا, ؤ -> و, ئ -> ي)
    "ta_marbuta": 0.3,      # ة <-> ه at the end of words
    "alef_maqsura": 0.3,    # ى <-> ي at the end of words
    "compound": 0.4,        # compound names written joined (عبد الله -> عبدالله)
    "drop_part": 0.3,       # grandfather, family name, or father and grandfather left out
    "typo": 0.15,           # one letter swapped for a look-alike, deleted, or transposed
    "age": 0.3,             # off by one (60%), off by 2-5 years (20%), or missing (20%)
    "sex_missing": 0.1,     # sex not recorded
    "date": 0.2,            # off by one day (60%) or missing (40%)
    "place": 0.2,           # missing (50%) or another spelling (50%)
    "name_missing": 0.5,    # lists in latin_lists only: the Arabic name not given
    "latin_spelling": 1.0,  # lists in latin_lists only: another romanisation of the name
}
KINDS = tuple(BASE_RATES)


# -- the result ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SimulatedNamedLists:
    """Named-victim lists and the truth behind them.

    ``lists`` maps list name -> records (``record_id, name, [name_latin], age, sex,
    date_of_death, place``); ``truth`` says which person each record is (``list, record,
    person``); ``population`` is every victim, listed or not (``person, household,
    relation, given, father, grandfather, family, name, name_latin, sex, age, place,
    date_of_death`` and one 0/1 column per list); ``N`` the true number of victims;
    ``params`` what was drawn with.
    """

    lists: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    population: pd.DataFrame
    N: int
    params: dict[str, Any] = field(default_factory=dict)

    def true_histories(self) -> pd.DataFrame:
        """The true capture-history pattern table, as `estimators.read_capture_histories`
        returns it: each listed person counted once (a duplicate within a list does not
        count twice), people on no list left out."""
        from ..data import read_capture_histories

        names = list(self.lists)
        on = self.population[names]
        return read_capture_histories(on[on.sum(axis=1) > 0].reset_index(drop=True))

    def true_pairs(self) -> set[tuple[tuple[str, str], tuple[str, str]]]:
        """Every pair of records that are the same person, within-list duplicates
        included: ``((list, record), (list, record))`` with the first ``<`` the second,
        what a linkage's precision and recall are measured against."""
        t = self.truth
        both = t.merge(t, on="person", suffixes=("_1", "_2"))
        first = list(zip(both["list_1"], both["record_1"]))
        second = list(zip(both["list_2"], both["record_2"]))
        return {(a, b) for a, b in zip(first, second) if a < b}


# -- the Arabic letters a corruption plays with -------------------------------------------

# The marks a clerk adds (a subset of what `linkage.arabic.DIACRITICS` strips).
_TASHKEEL = ("\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b", "\u064d")  # fatha .. kasratan
_NO_HARAKA = set("اأإآى ")  # letters that carry no short vowel here
_HAMZA_SEATS = {"أ": ("ا", "ا", "إ"), "إ": ("ا", "ا", "أ"), "آ": ("ا", "أ"), "ؤ": ("و",), "ئ": ("ي",)}
_NON_CONNECTING = set("اأإآدذرزوؤة ")  # letters that do not join the next one
# Letters a typist or OCR confuses: same skeleton, other dots, or a similar sound.
_LOOK_ALIKES = {
    "ب": "تثني", "ت": "بثنط", "ث": "بتس", "ن": "بتي", "ي": "بتنى", "ج": "حخ", "ح": "جخه", "خ": "جح",
    "د": "ذض", "ذ": "دز", "ر": "زو", "ز": "رذ", "س": "شص", "ش": "س", "ص": "ضس", "ض": "صد", "ط": "ظت",
    "ظ": "طض", "ع": "غا", "غ": "عف", "ف": "قغ", "ق": "فك", "ك": "ق", "ل": "ك", "م": "ن", "ه": "ةح",
    "و": "ر", "ا": "أع",
}
_PDF_DAMAGE = re.compile("الله|ل[اأإآ]")


def _extracted_from_pdf(match: re.Match) -> str:
    text = match.group()
    return "هللا" if text == "الله" else text[1] + "ل"


# -- corruption, one small function per kind ----------------------------------------------

def _add_diacritics(name: str, rng: np.random.Generator) -> str:
    letters = [i for i, c in enumerate(name) if c not in _NO_HARAKA]
    if not letters:
        return name
    chosen = set(rng.choice(letters, size=min(len(letters), int(rng.integers(1, 4))), replace=False).tolist())
    return "".join(c + (_TASHKEEL[int(rng.integers(len(_TASHKEEL)))] if i in chosen else "")
                   for i, c in enumerate(name))


def _insert_tatweel(name: str, rng: np.random.Generator) -> str:
    joins = [i for i in range(len(name) - 1) if name[i] not in _NON_CONNECTING and name[i + 1] != " "]
    if not joins:
        return name
    i = joins[int(rng.integers(len(joins)))]
    return name[:i + 1] + _TATWEEL + name[i + 1:]


def _swap_hamza(name: str, rng: np.random.Generator) -> str:
    out = []
    for c in name:
        seats = _HAMZA_SEATS.get(c)
        out.append(seats[int(rng.integers(len(seats)))] if seats else c)
    return "".join(out)


def _swap_word_ends(name: str, a: str, b: str, keep: str = "") -> str:
    words = []
    for w in name.split(" "):
        if w.endswith(a):
            w = w[:-1] + b
        elif w.endswith(b) and not (keep and w.endswith(keep)):
            w = w[:-1] + a
        words.append(w)
    return " ".join(words)


def _swap_ta_marbuta(name: str, rng: np.random.Generator) -> str:
    return _swap_word_ends(name, "ة", "ه", keep="لله")  # nobody writes الله as اللة


def _swap_alef_maqsura(name: str, rng: np.random.Generator) -> str:
    return _swap_word_ends(name, "ى", "ي")


def _make_typo(name: str, rng: np.random.Generator) -> str:
    kind = rng.random()
    if kind < 0.5:
        spots = [i for i, c in enumerate(name) if c in _LOOK_ALIKES]
        if spots:
            i = spots[int(rng.integers(len(spots)))]
            similar = _LOOK_ALIKES[name[i]]
            return name[:i] + similar[int(rng.integers(len(similar)))] + name[i + 1:]
    if kind < 0.75:
        spots = [i for i, c in enumerate(name) if c != " "]
        i = spots[int(rng.integers(len(spots)))]
        return name[:i] + name[i + 1:]
    spots = [i for i in range(len(name) - 1) if " " not in name[i:i + 2] and name[i] != name[i + 1]]
    if not spots:
        return name
    i = spots[int(rng.integers(len(spots)))]
    return name[:i] + name[i + 1] + name[i] + name[i + 2:]


def _join_compounds(parts: list[str]) -> list[str]:
    return [p.replace(" ", "") for p in parts]


def _drop_name_part(parts: list, rng: np.random.Generator) -> list:
    """Of the four parts (given, father, grandfather, family): the grandfather left out
    (60%), the family name (25%), or father and grandfather (15%)."""
    u = rng.random()
    if u < 0.6:
        return [parts[0], parts[1], parts[3]]
    if u < 0.85:
        return parts[:3]
    return [parts[0], parts[3]]


def _shift_age(age: int, rng: np.random.Generator) -> int | None:
    u = rng.random()
    if u < 0.2:
        return None
    step = (1 if u < 0.8 else int(rng.integers(2, 6))) * (1 if rng.random() < 0.5 else -1)
    return age + step if 0 <= age + step <= 90 else age - step


def _shift_date(date: str, rng: np.random.Generator) -> str | None:
    if rng.random() < 0.4:
        return None
    day = datetime.date.fromisoformat(date) + datetime.timedelta(days=1 if rng.random() < 0.5 else -1)
    return day.isoformat()


def _vary_place(place: str, rng: np.random.Generator) -> str | None:
    """Missing (50%), or another spelling: a listed one, ة/ى/hamza swapped, words joined,
    the article dropped, or "مدينة" (the town of) put before it."""
    if rng.random() < 0.5:
        return None
    other = list(PLACE_SPELLINGS.get(place, ()))
    for variant in (_swap_ta_marbuta(place, rng), _swap_alef_maqsura(place, rng), _swap_hamza(place, rng),
                    place.replace(" ", "")):
        if variant != place:
            other.append(variant)
    if place.startswith("ال"):
        other.append(place[2:])
    other = other or ["مدينة " + place]  # "the town of ..."
    return other[int(rng.integers(len(other)))]


def _pdf_damage(text: str) -> str:
    """What extracting text from a PDF does to lam-alef: the ligature comes out in the wrong
    order (بلال -> بالل, الأحمد -> األحمد) and the word الله reversed (عبد الله -> عبد هللا)."""
    return _PDF_DAMAGE.sub(_extracted_from_pdf, text)


# -- romanisation -------------------------------------------------------------------------

# Well-known alternative spellings of common names.
LATIN_SPELLINGS = {
    "Muhammad": ("Mohammed", "Mohammad", "Mohamad", "Mohamed", "Muhammed", "Mhd"),
    "Ahmad": ("Ahmed",), "Mahmud": ("Mahmoud", "Mahmood"), "Mustafa": ("Moustafa", "Mostafa", "Mustapha"),
    "Husayn": ("Hussein", "Hussain", "Husain"), "Hasan": ("Hassan",), "Yusuf": ("Youssef", "Yousef", "Yousif"),
    "Umar": ("Omar", "Omer"), "Uthman": ("Othman", "Osman"), "Usama": ("Osama", "Oussama"),
    "Abdullah": ("Abdallah", "Abd Allah", "Abdulla", "Abdellah"), "Ibrahim": ("Ebrahim", "Ibraheem"),
    "Ismail": ("Ismael", "Esmail"), "Haytham": ("Haitham", "Heitham"), "Mumin": ("Moamen", "Mu'min", "Momen"),
    "Aisha": ("Aicha", "Aysha", "Aishah"), "Fatima": ("Fatma", "Fatimah", "Fatmeh"),
    "Khadija": ("Khadeeja", "Khadijah"), "Zaynab": ("Zeinab", "Zainab"), "Ali": ("Aly",),
}
# Respellings applied to any word: (pattern, replacements).
_RESPELLINGS = (
    (re.compile("u"), ("o", "ou")), (re.compile("^U"), ("O", "Ou")), (re.compile("(?<=[a-z])i(?=[a-z])"), ("e", "ee")),
    (re.compile("^I"), ("E",)), (re.compile("a$"), ("ah", "eh")), (re.compile("q"), ("k",)), (re.compile("^Q"), ("K",)),
    (re.compile("sh"), ("ch",)), (re.compile("dh"), ("z", "th")), (re.compile("th"), ("s", "t")),
    (re.compile("ay"), ("ai", "ei")), (re.compile(r"([bdfhklmnrstyz])\1"), (r"\1",)),
)
_SUN_LETTERS = ("Th", "Dh", "Sh", "T", "D", "R", "Z", "S", "L", "N")


def _respell(word: str, rng: np.random.Generator) -> str:
    known = LATIN_SPELLINGS.get(word)
    if known and rng.random() < 0.7:
        return known[int(rng.integers(len(known)))]
    for pattern, replacements in _RESPELLINGS:
        if rng.random() < 0.25:
            word = pattern.sub(replacements[int(rng.integers(len(replacements)))], word)
    return word


def _latin_article(rest: str, rng: np.random.Generator) -> str:
    """``al-Hasan`` as al-Hasan, Al Hasan, Alhasan, Elhasan, el-Hasan, Hasan, as-Sayyid..."""
    rest = _respell(rest, rng)
    forms = ["al-{}", "Al-{}", "Al {}", "El {}", "el-{}", "Al{}", "El{}", "{}"]
    sun = next((s for s in _SUN_LETTERS if rest.startswith(s)), None)
    if sun:
        forms.append("a" + sun.lower() + "-{}")
    form = forms[int(rng.integers(len(forms)))]
    return form.format(rest.lower() if form in ("Al{}", "El{}") else rest)


def _latin_compound(first: str, rest: str, rng: np.random.Generator) -> str:
    """``Abd al-Rahman`` as Abdul Rahman, Abdelrahman, Abd ar-Rahman...; ``Nur al-Din`` as
    Nour al-Din, Noureddine, Nur ad-Din..."""
    first, rest = _respell(first, rng), _respell(rest, rng)
    forms = ["{f} al-{r}", "{f} el-{r}", "{f} {r}", "{f}ul {r}", "{f}ul{l}", "{f}el {r}", "{f}el{l}"]
    sun = next((s.lower() for s in _SUN_LETTERS if rest.startswith(s)), None)
    if sun:
        forms += ["{f} a" + sun + "-{r}", "{f}e" + sun + "{l}", "{f} E" + sun + "{l}"]
    form = forms[int(rng.integers(len(forms)))]
    return form.format(f=first, r=rest, l=rest.lower())


def _vary_latin(parts: Sequence[str], rng: np.random.Generator) -> str:
    out = []
    for part in parts:
        words = part.split(" ")
        if part.startswith("al-"):
            out.append(_latin_article(part[3:], rng))
        elif len(words) == 2 and words[1].startswith("al-"):
            out.append(_latin_compound(words[0], words[1][3:], rng))
        elif len(words) == 2:
            a, b = _respell(words[0], rng), _respell(words[1], rng)
            out.append(a + b.lower() if rng.random() < 0.3 else f"{a} {b}")
        else:
            out.append(_respell(part, rng))
    name = " ".join(out)
    return name.upper() if rng.random() < 0.1 else name


# -- the population -----------------------------------------------------------------------

_DATE_START, _DATE_DAYS = datetime.date(2012, 1, 1), 1096  # deaths from 2012 to 2014
_LARGEST_HOUSEHOLD = 12  # victims of one household, at most (the geometric tail cut)


def _cdf(n: int, offset: float) -> list[float]:
    """Popularity by rank, ``1 / (rank + offset)``: a few names very common (Muhammad)."""
    w = 1.0 / (np.arange(n) + offset)
    return np.cumsum(w / w.sum()).tolist()


_MALE_CDF, _FEMALE_CDF = _cdf(len(MALE_NAMES), 2), _cdf(len(FEMALE_NAMES), 3)
_FAMILY_CDF, _PLACE_CDF = _cdf(len(FAMILY_NAMES), 8), _cdf(len(PLACES), 3)


def _pick(cdf: list[float], k: int, rng: np.random.Generator, exclude: Sequence[int] = ()) -> list[int]:
    """``k`` different indices drawn by popularity, none in ``exclude``."""
    chosen: list[int] = []
    while len(chosen) < k:
        i = min(bisect.bisect_left(cdf, rng.random()), len(cdf) - 1)
        if i not in chosen and i not in exclude:
            chosen.append(i)
    return chosen


def _age_alone(male: bool, rng: np.random.Generator) -> int:
    """The only victim of a household: mostly a young man; some children and old people."""
    u = rng.random()
    if u < 0.1:
        return int(rng.integers(0, 15))
    if u < 0.2:
        return int(rng.integers(55, 91))
    return int(min(15 + rng.gamma(2.0, 6.0 if male else 12.0), 90))


def _household(size: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """One household's victims: a man or a woman alone (size 1), else children of one father
    (siblings: same father and grandfather), with the father himself 60% of the time.
    They share the family name; their given names differ."""
    family = _pick(_FAMILY_CDF, 1, rng)[0]
    grandfather, head = _pick(_MALE_CDF, 2, rng)
    head_age = int(min(22 + rng.gamma(3.0, 8.0), 90))
    if size == 1:
        male = rng.random() < 0.75
        given = head if male else _pick(_FEMALE_CDF, 1, rng)[0]
        return [dict(relation="alone", sex="m" if male else "f", given=given, father=grandfather,
                     grandfather=_pick(_MALE_CDF, 1, rng)[0], family=family, age=_age_alone(male, rng))]
    great = _pick(_MALE_CDF, 1, rng)[0]
    with_father = rng.random() < 0.6
    members = []
    if with_father:
        members.append(dict(relation="father", sex="m", given=head, father=grandfather, grandfather=great,
                            family=family, age=head_age))
    n_children = size - with_father
    male = rng.random(n_children) < 0.55
    sons = _pick(_MALE_CDF, int(male.sum()), rng, exclude=(head, grandfather))
    if sons and rng.random() < 0.3:
        sons[0] = grandfather  # the eldest son named after his grandfather
    daughters = _pick(_FEMALE_CDF, int((~male).sum()), rng)
    ages = np.sort(rng.integers(0, max(min(head_age - 18, 50), 0) + 1, size=n_children))[::-1]
    for is_male, age in zip(male.tolist(), ages.tolist()):  # eldest first
        given = sons.pop(0) if is_male else daughters.pop(0)
        members.append(dict(relation="child", sex="m" if is_male else "f", given=given, father=head,
                            grandfather=grandfather, family=family, age=int(age)))
    return members


def _draw_population(N: int, household_size: float,
                     rng: np.random.Generator) -> tuple[pd.DataFrame, list[tuple[str, ...]]]:
    """The victims, and each one's four name parts romanised."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    household: list[int] = []
    while len(rows) < N:
        size = min(int(rng.geometric(1 / household_size)), _LARGEST_HOUSEHOLD, N - len(rows))
        members = _household(size, rng)
        household += [household[-1] + 1 if household else 0] * len(members)
        rows += members
    pop = pd.DataFrame(rows)
    pop.insert(0, "household", np.asarray(household, dtype=np.int64))
    pop.insert(0, "person", np.arange(N, dtype=np.int64))
    # households die together; several households may die in one incident (same place, day)
    H = int(pop["household"].iloc[-1]) + 1
    K = max(1, math.ceil(0.7 * H))
    incident = rng.integers(0, K, size=H)[pop["household"].to_numpy()]
    places = np.searchsorted(_PLACE_CDF, rng.random(K)).clip(max=len(PLACES) - 1)
    days = rng.integers(0, _DATE_DAYS, size=K)
    sex = pop["sex"].to_numpy()
    given = pop.pop("given").to_numpy()
    parts = {
        "given": [FEMALE_NAMES[g] if s == "f" else MALE_NAMES[g] for g, s in zip(given, sex)],
        "father": [MALE_NAMES[i] for i in pop.pop("father")],
        "grandfather": [MALE_NAMES[i] for i in pop.pop("grandfather")],
        "family": [FAMILY_NAMES[i] for i in pop.pop("family")],
    }
    age, relation = pop.pop("age"), pop.pop("relation")
    for column, pairs in parts.items():
        pop[column] = [a for a, _ in pairs]
    pop["name"] = [" ".join(p[0] for p in four) for four in zip(*parts.values())]
    pop["name_latin"] = [" ".join(p[1] for p in four) for four in zip(*parts.values())]
    pop.insert(2, "relation", relation)
    pop["sex"] = pop.pop("sex")
    pop["age"] = age.astype(np.int64)
    pop["place"] = np.asarray(PLACES, dtype=object)[places][incident]
    pop["date_of_death"] = [(_DATE_START + datetime.timedelta(days=int(d))).isoformat() for d in days[incident]]
    return pop, [tuple(p[1] for p in four) for four in zip(*parts.values())]


def _draw_memberships(capture: np.ndarray, heterogeneity: float, N: int, rng: np.random.Generator) -> np.ndarray:
    """``(N, J)`` booleans: on list ``j`` with probability ``capture[j]``, or with
    ``logit p_ij = logit capture[j] + heterogeneity * z_i``, ``z_i ~ N(0, 1)``."""
    if heterogeneity == 0:
        p = np.broadcast_to(capture, (N, len(capture)))
    else:
        with np.errstate(divide="ignore"):
            logit = np.log(capture) - np.log1p(-capture)
        z = rng.standard_normal(N)[:, None]
        p = 1 / (1 + np.exp(-(logit + heterogeneity * z)))
    return rng.random((N, len(capture))) < p


# -- records ------------------------------------------------------------------------------

_NAME_STEPS = (  # string-level corruptions of the Arabic name, in this order
    ("hamza", _swap_hamza), ("ta_marbuta", _swap_ta_marbuta), ("alef_maqsura", _swap_alef_maqsura),
    ("typo", _make_typo), ("tatweel", _insert_tatweel), ("diacritics", _add_diacritics),
)


def _record(person: dict[str, Any], latin_parts: tuple[str, ...], fire: dict[str, bool], *, latin: bool,
            pdf: bool, rng: np.random.Generator) -> dict[str, Any]:
    """One list's record of ``person``, the corruptions in ``fire`` applied."""
    parts = list(zip((person["given"], person["father"], person["grandfather"], person["family"]), latin_parts))
    if fire["drop_part"]:
        parts = _drop_name_part(parts, rng)
    arabic = [a for a, _ in parts]
    if fire["compound"]:
        arabic = _join_compounds(arabic)
    name = " ".join(arabic)
    for kind, corrupt in _NAME_STEPS:
        if fire[kind]:
            name = corrupt(name, rng)
    place = person["place"]
    if fire["place"]:
        place = _vary_place(place, rng)
    if pdf:
        name = _pdf_damage(name)
        place = None if place is None else _pdf_damage(place)
    record = {"name": name}
    if latin:
        romanised = [b for _, b in parts]
        record["name_latin"] = _vary_latin(romanised, rng) if fire["latin_spelling"] else " ".join(romanised)
        if fire["name_missing"]:
            record["name"] = None
    record["age"] = _shift_age(person["age"], rng) if fire["age"] else person["age"]
    record["sex"] = None if fire["sex_missing"] else person["sex"]
    record["date_of_death"] = _shift_date(person["date_of_death"], rng) if fire["date"] else person["date_of_death"]
    record["place"] = place
    return record


# -- the simulator ------------------------------------------------------------------------

def _check_lists(capture: Any, list_names: Any, latin_lists: Any,
                 pdf_lists: Any) -> tuple[np.ndarray, list[str], set[str], set[str]]:
    """The capture probabilities, list names, and which lists are Latin and PDF, checked."""
    try:
        p = np.asarray([float(v) for v in capture])
    except (TypeError, ValueError):
        raise ValueError(f"capture must be a sequence of probabilities, one per list, got {capture!r}") from None
    if len(p) < 2:
        raise ValueError(f"capture needs at least two lists (one probability each), got {capture!r}")
    if not np.all((p > 0) & (p <= 1)):
        raise ValueError(f"capture probabilities must lie in (0, 1], got {capture!r}")
    names = [chr(ord("A") + j) if j < 26 else f"L{j + 1}" for j in range(len(p))] if list_names is None \
        else [str(n) for n in list_names]
    if len(names) != len(p) or len(set(names)) != len(names) or not all(names):
        raise ValueError(f"list_names must be {len(p)} different non-empty names (one per capture "
                         f"probability), got {list_names!r}")
    reserved = {"person", "household", "relation", "given", "father", "grandfather", "family", "name",
                "name_latin", "sex", "age", "place", "date_of_death", "count"}
    if reserved & set(names):
        raise ValueError(f"list names {sorted(reserved & set(names))} clash with the population's columns")
    chosen = []
    for what, value in (("latin_lists", latin_lists), ("pdf_lists", pdf_lists)):
        value = {value} if isinstance(value, str) else {str(v) for v in value}
        if value - set(names):
            raise ValueError(f"{what} names lists that do not exist: {sorted(value - set(names))} "
                             f"(the lists are {names})")
        chosen.append(value)
    return p, names, chosen[0], chosen[1]


def _number_in(value: Any, low: float, high: float, *, closed: bool = True) -> bool:
    """Whether ``value`` is a real number (not a bool) in [low, high] (or [low, high))."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and low <= value and (value <= high if closed else value < high))


def _probabilities(corruption: float, rates: Mapping[str, float] | None) -> tuple[dict[str, float], dict[str, float]]:
    """The base rate of every kind (``rates`` applied) and its probability per record."""
    if not _number_in(corruption, 0, 1):
        raise ValueError(f"corruption must be in [0, 1], got {corruption!r}")
    if rates is not None and not isinstance(rates, Mapping):
        raise ValueError(f"rates must map corruption kinds to base rates, got {rates!r}")
    base = dict(BASE_RATES)
    for kind, rate in (rates or {}).items():
        if kind not in base:
            raise ValueError(f"unknown corruption kind {kind!r}; the kinds are: {', '.join(KINDS)}")
        if not _number_in(rate, 0, 1):
            raise ValueError(f"rate of {kind!r} must be in [0, 1], got {rate!r}")
        base[kind] = float(rate)
    return base, {kind: float(corruption) * rate for kind, rate in base.items()}


def named_lists(
    N: int = 2000,
    capture: Sequence[float] = (0.5, 0.4, 0.3),
    *,
    list_names: Sequence[str] | None = None,
    corruption: float = 0.3,
    rates: Mapping[str, float] | None = None,
    heterogeneity: float = 0.0,
    household_size: float = 2.5,
    duplicate_rate: float = 0.02,
    latin_lists: Sequence[str] = (),
    pdf_lists: Sequence[str] = (),
    random_seed: int,
) -> SimulatedNamedLists:
    """Several lists of named victims, with Arabic names, drawn from one known population.

    Population: ``N`` victims in households of Geometric(1 / ``household_size``) victims
    (mean ``household_size``, at most 12): a man (75%) or a woman alone, or the children
    of one father (siblings: same father and grandfather, different given names; the
    eldest son often named after his grandfather), with the father himself 60% of the
    time. A household shares its family name, place and date of death (several households
    may share one incident: place and day); siblings differ only in given name, sex and
    age, the hard case for linkage. Mothers are not drawn (in Syria and Iraq a wife keeps
    her own father's names, so she would not share the family name).
    Names are drawn by popularity (``1 / (rank + c)``) from the module's pools
    (`MALE_NAMES`, `FEMALE_NAMES`, `FAMILY_NAMES`, `PLACES`): given, father, grandfather,
    family, e.g. "عبد الله محمد أحمد الحسن". Ages 0-90: fathers 22 + Gamma(3, 8),
    children uniform from 0 to their father's age less 18, victims alone mostly young
    men (15 + Gamma(2, 6)); about half the victims are minors, most adults men. Deaths
    from 2012-01-01 to 2014-12-31.

    Lists: person ``i`` is on list ``j`` with probability ``capture[j]``, independently
    across lists; with ``heterogeneity = s > 0`` with ``logit p_ij = logit capture[j] +
    s * z_i``, ``z_i ~ N(0, 1)`` one effect per person shared by all lists, so that
    memberships are positively correlated (some victims are simply better known). A
    listed person is listed twice in the same list with probability ``duplicate_rate``
    (the second record corrupted independently, with its own id). Records are shuffled
    and numbered ``"<list>-00001"``... so that ids tell nothing about the person.

    Corruption: each kind in `BASE_RATES` applied to each record independently with
    probability ``corruption * rate`` (``rates`` replaces the base rate of the kinds it
    names; both in [0, 1]). Base rates: diacritics 0.3, tatweel 0.1, hamza 0.5,
    ta_marbuta 0.3, alef_maqsura 0.3, compound 0.4, drop_part 0.3, typo 0.15, age 0.3,
    sex_missing 0.1, date 0.2, place 0.2, and on ``latin_lists`` only name_missing 0.5
    and latin_spelling 1.0 (their Latin names are otherwise the pools' romanisation).
    Lists in ``pdf_lists`` also carry, on every record whatever ``corruption``, the
    lam-alef damage of PDF text extraction: الله as هللا, لا as ال (بلال -> بالل), لأ as أل.
    ``corruption=0`` and ``duplicate_rate=0`` (and no ``pdf_lists``) give clean lists:
    a person's fields are the same on every list.

    Returns
    -------
    `SimulatedNamedLists`: ``lists`` (name -> ``record_id, name, [name_latin for
    latin_lists], age (Int64), sex, date_of_death, place``, missing values ``None`` /
    ``<NA>``), ``truth`` (``list, record, person``), ``population`` (every victim, with
    one 0/1 column per list), ``N``, ``params``; ``true_histories()`` the true
    capture-history table, ``true_pairs()`` the record pairs that are one person.
    """
    import pandas as pd

    seed = check_seed(random_seed)
    if isinstance(N, bool) or not isinstance(N, int | np.integer) or N < 1:
        raise ValueError(f"N must be a positive whole number, got {N!r}")
    N = int(N)
    p, names, latin, pdf = _check_lists(capture, list_names, latin_lists, pdf_lists)
    base, probability = _probabilities(corruption, rates)
    if not _number_in(heterogeneity, 0, math.inf, closed=False):
        raise ValueError(f"heterogeneity (sd of the logit of catchability) must be >= 0 and finite, "
                         f"got {heterogeneity!r}")
    if not _number_in(household_size, 1, math.inf, closed=False):
        raise ValueError(f"household_size (mean victims per household) must be >= 1, got {household_size!r}")
    if not _number_in(duplicate_rate, 0, 1, closed=False):
        raise ValueError(f"duplicate_rate must be in [0, 1), got {duplicate_rate!r}")

    rng = np.random.default_rng(seed)
    pop, latin_parts = _draw_population(N, float(household_size), rng)
    on = _draw_memberships(p, float(heterogeneity), N, rng)
    fields = ("given", "father", "grandfather", "family", "age", "sex", "place", "date_of_death")
    people = [dict(zip(fields, row)) for row in zip(*(pop[f].tolist() for f in fields))]
    chance = np.array([probability[k] for k in KINDS])

    lists, truth = {}, []
    for j, list_name in enumerate(names):
        listed = np.flatnonzero(on[:, j])
        persons = np.concatenate([listed, listed[rng.random(len(listed)) < duplicate_rate]])
        rng.shuffle(persons)
        fires = (rng.random((len(persons), len(KINDS))) < chance).tolist()
        records = [_record(people[i], latin_parts[i], dict(zip(KINDS, fire)), latin=list_name in latin,
                           pdf=list_name in pdf, rng=rng) for i, fire in zip(persons.tolist(), fires)]
        width = max(5, len(str(len(persons))))
        ids = [f"{list_name}-{k + 1:0{width}d}" for k in range(len(persons))]
        columns = ["name", "name_latin"] if list_name in latin else ["name"]
        frame = pd.DataFrame(records, columns=columns + ["age", "sex", "date_of_death", "place"])
        frame.insert(0, "record_id", ids)
        frame["age"] = pd.array(frame["age"].tolist(), dtype="Int64")
        for column in columns + ["sex", "date_of_death", "place"]:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        lists[list_name] = frame
        truth.append(pd.DataFrame({"list": list_name, "record": ids, "person": persons.astype(np.int64)}))
        pop[list_name] = on[:, j].astype(np.int8)

    params = {"N": N, "capture": tuple(float(v) for v in p), "list_names": tuple(names),
              "corruption": float(corruption), "base_rates": base, "probabilities": probability,
              "heterogeneity": float(heterogeneity), "household_size": float(household_size),
              "duplicate_rate": float(duplicate_rate), "latin_lists": tuple(n for n in names if n in latin),
              "pdf_lists": tuple(n for n in names if n in pdf), "random_seed": seed}
    return SimulatedNamedLists(lists=lists, truth=pd.concat(truth, ignore_index=True), population=pop,
                               N=N, params=params)
