"""Arabic (and Latin-transliterated) personal names, normalised once for record linkage.

Every comparison column and blocking key the linkage engine builds from a name goes
through this module, so that two lists spelling one victim differently meet on one form:

* :func:`normalize_name` -- the canonical text (diacritics gone, letter variants folded,
  compounds such as "عبد الرحمن" joined into one token);
* :func:`name_tokens` -- its tokens (given name, father, grandfather, family...);
* :func:`strip_article` -- a token without its article, to compare family names;
* :func:`skeleton` -- an ASCII consonant skeleton, equal for "Mohammed al-Hassan" and
  "محمد الحسن", for blocking and fuzzy comparison;
* :func:`transliterate` -- a plain consonantal Latin rendering of an Arabic name;
* :func:`repair_pdf_ligatures` -- undo the lam-alef damage of PDF text extraction.

The letter tables are module constants (``DIACRITICS``, ``LETTER_FOLDS``, ...) so that
other code (a simulator corrupting names, say) imports them instead of copying them.

pyarabic is used only as a cross-check in the tests: its ``strip_diacritics`` misses a few
Quranic marks (U+06DD, U+06DE, U+06E5, U+06E6, U+06E9) and its ``normalize_hamza`` keeps
the standalone hamza, so one ``str.translate`` table does exactly what is documented here.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ALEF_FORMS", "ARTICLE_EXCEPTIONS", "DIACRITICS", "DIVINE_NAMES", "LATIN_DIGRAPHS",
    "LETTER_FOLDS", "PARTICLES", "PDF_AMBIGUOUS", "PDF_DAMAGE", "SKELETON_CLASSES", "TATWEEL",
    "name_tokens", "normalize_name", "repair_pdf_ligatures", "skeleton", "strip_article",
    "transliterate",
]

# --------------------------------------------------------------------------- tables

def _chars(*ranges: tuple[int, int]) -> frozenset[str]:
    return frozenset(chr(c) for lo, hi in ranges for c in range(lo, hi + 1))


#: Marks removed from names: Quranic annotation signs U+0610-U+061A, harakat, tanwin,
#: shadda, sukun and the extended marks U+064B-U+065F, superscript (dagger) alef U+0670,
#: Quranic marks U+06D6-U+06ED. A superset of ``pyarabic.araby.DIACRITICS``.
DIACRITICS: frozenset[str] = _chars((0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670),
                                    (0x06D6, 0x06ED))

#: Tatweel (kashida), the stretching stroke: typographic, never a letter.
TATWEEL = "\u0640"

#: Alef with hamza above/below, with madda, wasla, wavy hamza: all become bare alef ا.
ALEF_FORMS = "\u0623\u0625\u0622\u0671\u0672\u0673"

#: Single-letter folds applied after diacritics are gone ("" deletes the letter).
#: Hamza is spelled so inconsistently in lists (on its seat, on the line, omitted) that
#: it carries no identity: the seat letter stays, the standalone hamza goes.
LETTER_FOLDS: dict[str, str] = {
    **dict.fromkeys(ALEF_FORMS, "\u0627"),
    "\u0624": "\u0648",   # ؤ -> و
    "\u0626": "\u064a",   # ئ -> ي
    "\u0621": "",         # ء standalone hamza: removed
    "\u0629": "\u0647",   # ة ta marbuta -> ه (lists write either)
    "\u0649": "\u064a",   # ى alef maqsura -> ي (lists write either)
    # Persian / Urdu codepoints typed on non-Arabic keyboards for the same letters
    "\u06a9": "\u0643",   # ک keheh -> ك
    "\u06aa": "\u0643",   # ڪ swash kaf -> ك
    "\u06cc": "\u064a",   # ی Farsi yeh -> ي
    "\u06d2": "\u064a",   # ے yeh barree -> ي
    "\u06c1": "\u0647",   # ہ heh goal -> ه
    "\u06be": "\u0647",   # ھ heh doachashmee -> ه
    "\u06d5": "\u0647",   # ە ae -> ه
    "\u06c3": "\u0647",   # ۃ teh marbuta goal -> ه
}

#: Apostrophe-like marks: between two letters they are deleted (Latin "Sa'id" spells
#: سعيد, the mark stands for ع or ء which the skeleton drops anyway), elsewhere a space.
_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc\u02be\u02bf\u02b9\u02bb"

#: Tokens after which "عبد" joins the next token although it has no article: "عبد ربه".
DIVINE_NAMES = frozenset({"\u0631\u0628\u0647", "\u0631\u0628", "\u0631\u0628\u0648"})

#: Tokens that start with "ال" (or Latin "al") but where that is part of the name, not
#: the article: Ilyas, Ilham, Ulfat, Almas, al-Yasa', Allah; Latin Alwan, Almas, ...
ARTICLE_EXCEPTIONS = frozenset({
    "\u0627\u0644\u064a\u0627\u0633", "\u0627\u0644\u0647\u0627\u0645", "\u0627\u0644\u0641\u062a",
    "\u0627\u0644\u0645\u0627\u0633", "\u0627\u0644\u064a\u0633\u0639", "\u0627\u0644\u0644\u0647",
    "alwan", "alwi", "almas", "alfat", "alham",
})

#: Genealogical particles ("son of", "daughter of"), droppable by :func:`name_tokens`.
PARTICLES = frozenset({"\u0628\u0646", "\u0627\u0628\u0646", "\u0628\u0646\u062a",
                       "bin", "ibn", "bint", "ben"})

#: Examples of PDF lam-alef damage that :func:`repair_pdf_ligatures` undoes: (damaged, intact).
PDF_DAMAGE: tuple[tuple[str, str], ...] = (
    ("\u0647\u0644\u0644\u0627", "\u0627\u0644\u0644\u0647"),                      # هللا -> الله
    ("\u0639\u0628\u062f\u0647\u0644\u0644\u0627", "\u0639\u0628\u062f\u0627\u0644\u0644\u0647"),  # عبدهللا
    ("\u0628\u0627\u0644\u0644", "\u0628\u0644\u0627\u0644"),                      # بالل -> بلال
    ("\u062c\u0627\u0644\u0644", "\u062c\u0644\u0627\u0644"),                      # جالل -> جلال
    ("\u0627\u0627\u0644\u0633\u0639\u062f", "\u0627\u0644\u0627\u0633\u0639\u062f"),  # االسعد -> الاسعد
)

#: Damage that is NOT repaired: the damaged form is itself a real name. (damaged, intact)
PDF_AMBIGUOUS: tuple[tuple[str, str], ...] = (
    ("\u0633\u0627\u0644\u0645", "\u0633\u0644\u0627\u0645"),   # سالم Salim / سلام Salam
    ("\u0635\u0627\u0644\u062d", "\u0635\u0644\u0627\u062d"),   # صالح Saleh / صلاح Salah
    ("\u0641\u0627\u0644\u062d", "\u0641\u0644\u0627\u062d"),   # فالح Faleh / فلاح Falah
)

#: Arabic letter -> ASCII consonant class of the skeleton (one character each, so that
#: doubled letters collapse). ا, و, ي are handled by position; ع maps to nothing because
#: Latin spellings mostly drop it (Omar, Ali, Abdullah).
SKELETON_CLASSES: dict[str, str] = {
    "\u0628": "b", "\u067e": "b",                       # ب پ
    "\u062a": "t", "\u0637": "t",                       # ت ط
    "\u062b": "s", "\u0633": "s", "\u0635": "s",        # ث س ص
    "\u062c": "j", "\u0686": "j",                       # ج چ
    "\u062d": "h", "\u0647": "h",                       # ح ه
    "\u062e": "x",                                      # خ (kh)
    "\u062f": "d", "\u0636": "d",                       # د ض
    "\u0630": "z", "\u0632": "z", "\u0638": "z", "\u0698": "z",  # ذ ز ظ ژ
    "\u0631": "r",                                      # ر
    "\u0634": "c",                                      # ش (sh)
    "\u0639": "",                                       # ع
    "\u063a": "g",                                      # غ (gh)
    "\u0641": "f", "\u06a4": "f",                       # ف ڤ
    "\u0642": "k", "\u0643": "k", "\u06af": "k",        # ق ك گ
    "\u0644": "l", "\u0645": "m", "\u0646": "n",        # ل م ن
    "\u0648": "w", "\u064a": "y",                       # و ي (token start only)
}

#: Latin spelling -> the same consonant classes; digraphs are read before single letters.
LATIN_DIGRAPHS: dict[str, str] = {"kh": "x", "sh": "c", "ch": "c", "th": "s", "dh": "z",
                                  "gh": "g", "ph": "f"}
_LATIN_SINGLE: dict[str, str] = {
    "b": "b", "p": "b", "t": "t", "s": "s", "j": "j", "g": "j", "h": "h", "d": "d",
    "z": "z", "r": "r", "f": "f", "v": "f", "q": "k", "k": "k", "c": "k", "x": "ks",
    "l": "l", "m": "m", "n": "n", "w": "w", "y": "y",
}
_LATIN_VOWELS = "aeiou"
_DIGRAPH_STARTS = frozenset(d[0] for d in LATIN_DIGRAPHS)

# Arabic -> Latin letters of transliterate(); و and ي are chosen by position.
_TRANSLIT = {
    "\u0627": "a", "\u0628": "b", "\u062a": "t", "\u062b": "th", "\u062c": "j", "\u062d": "h",
    "\u062e": "kh", "\u062f": "d", "\u0630": "dh", "\u0631": "r", "\u0632": "z", "\u0633": "s",
    "\u0634": "sh", "\u0635": "s", "\u0636": "d", "\u0637": "t", "\u0638": "z", "\u0639": "'",
    "\u063a": "gh", "\u0641": "f", "\u0642": "q", "\u0643": "k", "\u0644": "l", "\u0645": "m",
    "\u0646": "n", "\u0647": "h", "\u067e": "p", "\u0686": "ch", "\u0698": "zh", "\u06a4": "v",
    "\u06af": "g",
}

_AL = "\u0627\u0644"            # ال
_ABD = "\u0639\u0628\u062f"     # عبد
_ABU = "\u0627\u0628\u0648"     # ابو
_ARABIC_SUFFIXES = frozenset({"\u0627\u0644\u062f\u064a\u0646", "\u0627\u0644\u0644\u0647"})  # الدين الله
_ARABIC_LONG = "\u0627\u0648\u064a"   # ا و ي

# Latin compound parts: prefixes that always take the next token, articles (with the
# sun-letter spellings ar-, as-, ad-, ...) that join the next token as "al", suffixes.
_LATIN_PREFIXES = frozenset({"abd", "abdul", "abdel", "abdal", "abdil", "abdol", "abed",
                             "abu", "abou", "abo"})
_LATIN_ARTICLES = frozenset({"al", "el", "ul", "il", "ad", "ar", "as", "at", "an", "az",
                             "ash", "ath", "adh", "ed", "er", "es", "et", "en", "ez",
                             "ud", "ur", "us", "uz"})
_LATIN_SUFFIXES = frozenset({"din", "deen", "dine", "eddin", "eddine", "uddin", "uddeen",
                             "addin", "aldin", "eldin", "aldeen", "eldeen", "aldine", "eldine",
                             "allah", "ullah", "illah", "ollah", "alla", "ulla"})

_FOLD_TABLE = str.maketrans({**LETTER_FOLDS, **dict.fromkeys(DIACRITICS, ""), TATWEEL: ""})
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff]")
_SCRIPT_BOUNDARY = re.compile(r"(?<=[\u0600-\u06ff])(?=[^\u0600-\u06ff\s])"
                              r"|(?<=[^\u0600-\u06ff\s])(?=[\u0600-\u06ff])")
_APOSTROPHE_TO_SPACE = str.maketrans(dict.fromkeys(_APOSTROPHES, " "))
_APOSTROPHE_IN_WORD = re.compile(rf"(?<=\w)[{_APOSTROPHES}](?=\w)")


# (pattern, replacement) of repair_pdf_ligatures, on Arabic letters (U+0621-U+064A)
_PDF_RULES = (
    (re.compile("\u0647\u0644\u0644\u0627"), "\u0627\u0644\u0644\u0647"),              # هللا -> الله
    (re.compile(r"(?<=[\u0621-\u064a])\u0627\u0644\u0644(?![\u0621-\u064a])"),
     "\u0644\u0627\u0644"),                                                       # Xالل -> Xلال
    (re.compile(r"(?<![\u0621-\u064a])\u0627\u0627\u0644"), "\u0627\u0644\u0627"),   # اال -> الا
)


# ------------------------------------------------------------------------- helpers

def _check(text, name: str) -> str | None:
    if text is None or isinstance(text, str):
        return text
    hint = " (decode bytes first, e.g. value.decode('utf-8'))" if isinstance(text, bytes | bytearray) else ""
    raise TypeError(f"{name}() expects a str or None, got {type(text).__name__}{hint}")


def _is_arabic(token: str) -> bool:
    return _ARABIC_LETTER.search(token) is not None


def _clean(text: str, repair_pdf: bool) -> list[str]:
    """Everything in normalize_name except compound joining; returns the tokens."""
    text = unicodedata.normalize("NFKC", text).lower()
    # NFD splits أ into ا + U+0654 and é into e + U+0301: dropping every combining mark
    # then strips Arabic tashkeel and Latin accents alike.
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    text = unicodedata.normalize("NFKC", text).translate(_FOLD_TABLE)
    text = _APOSTROPHE_IN_WORD.sub("", text).translate(_APOSTROPHE_TO_SPACE)
    # Only letters survive; digits, punctuation (، ؛ - _ . , ' " ( )), symbols become
    # spaces; invisible format characters (bidi marks, ZWNJ) are deleted.
    text = "".join(c if unicodedata.category(c).startswith("L") else
                   "" if unicodedata.category(c) == "Cf" else " " for c in text)
    text = _SCRIPT_BOUNDARY.sub(" ", text)   # "محمدali" -> "محمد ali": one script per token
    tokens = text.split()
    if repair_pdf:
        tokens = [repair_pdf_ligatures(t) for t in tokens]
    return tokens


def _join_compounds(tokens: list[str]) -> list[str]:
    """Join compound names into one token; see normalize_name for the rules."""
    # A Latin article followed by a word is spelled "al" (el-, ar-, ad-... -> al).
    tokens = ["al" if t in _LATIN_ARTICLES and i + 1 < len(tokens) else t
              for i, t in enumerate(tokens)]
    out: list[str] = []
    for tok in tokens:
        arabic = _is_arabic(tok)
        prev = out[-1] if out and _is_arabic(out[-1]) == arabic else None
        if prev is not None and prev == (_AL if arabic else "al"):
            # a detached article belongs to the next word; re-examine the joined word
            tok = out.pop() + tok
            prev = out[-1] if out and _is_arabic(out[-1]) == arabic else None
        if prev is None:
            out.append(tok)
        elif arabic and (prev in (_ABD + _AL, _ABU, _ABU + _AL)
                         or (prev == _ABD and (tok.startswith(_AL) or tok in DIVINE_NAMES))
                         or tok in _ARABIC_SUFFIXES):
            out[-1] = prev + tok
        elif not arabic and (prev in _LATIN_PREFIXES
                             or (prev.endswith("al") and prev[:-2] in _LATIN_PREFIXES)
                             or tok in _LATIN_SUFFIXES):
            out[-1] = prev + tok
        else:
            out.append(tok)
    return out


def _tokens(text: str | None, repair_pdf: bool) -> list[str]:
    if text is None:
        return []
    tokens = _join_compounds(_clean(text, repair_pdf))
    if repair_pdf:   # joining can end a token in "...الل" ("عبد ال ل"): repair once more
        tokens = [repair_pdf_ligatures(t) for t in tokens]
    return tokens


# ---------------------------------------------------------------------------- API

def repair_pdf_ligatures(text: str) -> str:
    """Undo the lam-alef damage that PDF text extraction does to Arabic words.

    Extractors often emit the two letters of the lam-alef ligature (لا) in the wrong
    order, and reverse the ligature of "الله". Only patterns that never occur in an
    undamaged name are rewritten (each word is rewritten until nothing changes):

    * ``هللا`` -> ``الله`` anywhere ("عبدهللا" -> "عبدالله"): "هللا" is not an Arabic
      name or part of one; it is "الله" written backwards.
    * a word ending in ``الل`` after at least one letter -> ``لال`` ("بالل" -> "بلال",
      "جالل" -> "جلال"): without shadda no word ends in alef + lam + lam.
    * a word starting ``اال`` -> ``الا`` ("االسعد" -> "الاسعد", the article before an
      alef): no word starts with two alefs once hamza seats are folded.

    Ambiguity, deliberately not repaired: elsewhere a swapped "لا" becomes an "ال" that
    spells another real name -- "سلام" (Salam) damaged is "سالم" (Salim), "صلاح" is
    "صالح", "فلاح" is "فالح" (see ``PDF_AMBIGUOUS``). Which one a list meant cannot be
    read from the word. The :func:`skeleton` is the same for both spellings (it drops
    alef), so blocking and skeleton comparison are unaffected by this damage.

    Works on letters as :func:`normalize_name` leaves them (no diacritics, folded
    alef); ``normalize_name(..., repair_pdf=True)`` calls it at that point.

    Parameters
    ----------
    text : str
        Arabic text, one or more words.

    Returns
    -------
    str
        The text with the damaged patterns rewritten; other characters untouched.

    Examples
    --------
    >>> repair_pdf_ligatures("عبدهللا")
    'عبدالله'
    >>> repair_pdf_ligatures("بالل سالم")
    'بلال سالم'
    """
    if not isinstance(text, str):
        raise TypeError(f"repair_pdf_ligatures() expects a str, got {type(text).__name__}")
    for _ in range(len(text) + 1):   # each rewrite moves letters rightwards: terminates
        new = text
        for pattern, repl in _PDF_RULES:
            new = pattern.sub(repl, new)
        if new == text:
            break
        text = new
    return text


def normalize_name(text: str | None, *, repair_pdf: bool = False) -> str | None:
    """The canonical form of a personal name, for comparison.

    Steps, in order:

    1. Unicode NFKC (presentation forms such as the lam-alef ligature U+FEFB become
       letters), lower case.
    2. Every combining mark goes: Arabic tashkeel (fatha, damma, kasra, tanwin, shadda,
       sukun, dagger alef U+0670, Quranic marks U+0610-U+061A and U+06D6-U+06ED, see
       ``DIACRITICS``) and Latin accents (é -> e); tatweel U+0640 goes.
    3. Letter folds (``LETTER_FOLDS``): أ إ آ ٱ -> ا, ؤ -> و, ئ -> ي, ء removed,
       ة -> ه, ى -> ي, ک -> ك, ی -> ي, ہ ھ -> ه.
    4. An apostrophe between two letters is deleted ("sa'id" -> "said"); every other
       character that is not a letter (Arabic-Indic and other digits, ، ؛ - _ . , ' "
       ( ) ...) becomes a space; invisible format characters are deleted. Arabic and
       Latin letters run together are split ("محمدali" -> "محمد ali"). Whitespace is
       collapsed.
    5. With ``repair_pdf=True``, :func:`repair_pdf_ligatures` on every word.
    6. Compounds are joined into one token, left to right (only words of one script
       join):

       * a detached article joins the next word: "ال حسن" -> "الحسن" (note "آل" folds to
         "ال", so "آل سعود" -> "السعود"); Latin al/el/ul and the sun-letter forms
         ar/as/ad/an/at/az/ash/ed/es/... before a word are spelled "al": "el sayed" ->
         "alsayed";
       * "عبد" joins a following word that starts with the article, or a divine name
         without article (``DIVINE_NAMES``): "عبد ال رحمن", "عبد الرحمن", "عبدال رحمن"
         and "عبدالرحمن" all give "عبدالرحمن"; "عبد ربه" -> "عبدربه";
       * "ابو" always joins the next word (with its article): "ابو بكر" -> "ابوبكر",
         "ابو ال فضل" -> "ابوالفضل";
       * "الدين" and "الله" join the word before: "نور الدين" -> "نورالدين",
         "سيف الله" -> "سيفالله";
       * Latin: abd/abdul/abdel/abdal/abed/abu/abou/abo join the next word ("abdul
         rahman" -> "abdulrahman", "abd al rahman" -> "abdalrahman"); din/deen/eddine/
         uddin/al din/allah/ullah... join the word before ("nour al din" -> "nouraldin").

    The result is idempotent: ``normalize_name(normalize_name(x)) == normalize_name(x)``.

    Parameters
    ----------
    text : str or None
        A name in Arabic or Latin script (or both).
    repair_pdf : bool, default False
        Also repair lam-alef damage from PDF extraction (see :func:`repair_pdf_ligatures`).

    Returns
    -------
    str or None
        The normalised name, tokens separated by single spaces; None when `text` is
        None, empty or has no letters.

    Raises
    ------
    TypeError
        If `text` is neither a str nor None (bytes must be decoded first).

    Examples
    --------
    >>> normalize_name("عَبْدُ الرَّحْمٰنِ")
    'عبدالرحمن'
    >>> normalize_name("أحمد  بن  فاطمة")
    'احمد بن فاطمه'
    >>> normalize_name("عبدهللا", repair_pdf=True)
    'عبدالله'
    >>> normalize_name("Nour al-Dîn")
    'nouraldin'
    >>> normalize_name("  ") is None
    True
    """
    tokens = _tokens(_check(text, "normalize_name"), repair_pdf)
    return " ".join(tokens) or None


def strip_article(token: str) -> str:
    """A name token without its definite article, to compare family names.

    Arabic: a leading "ال" is dropped when at least two letters remain and the token is
    not one of ``ARTICLE_EXCEPTIONS`` (names that begin with those letters: الياس,
    الهام, الفت, الماس, الله). Latin: a leading "al" is dropped when a consonant follows
    and at least three letters remain ("alhassan" -> "hassan"; "ali", "alaa", "alan"
    keep theirs), except ``ARTICLE_EXCEPTIONS`` ("alwan", "almas", ...). The Latin rule
    is a heuristic: a name that merely begins "al" + consonant loses two letters.

    Parameters
    ----------
    token : str
        One token as :func:`name_tokens` returns it.

    Returns
    -------
    str
        The token without the article (unchanged if it has none).

    Examples
    --------
    >>> strip_article("الحسن")
    'حسن'
    >>> strip_article("الياس")
    'الياس'
    >>> strip_article("alhassan"), strip_article("ali")
    ('hassan', 'ali')
    """
    if not isinstance(token, str):
        raise TypeError(f"strip_article() expects a str, got {type(token).__name__}")
    if token in ARTICLE_EXCEPTIONS:
        return token
    if token.startswith(_AL) and len(token) >= 4:
        return token[2:]
    if (token.startswith("al") and len(token) >= 5 and token[2].isascii()
            and token[2].isalpha() and token[2] not in _LATIN_VOWELS + "y"):
        return token[2:]
    return token


def name_tokens(text: str | None, *, repair_pdf: bool = False, strip_articles: bool = False,
                drop_particles: bool = False) -> list[str]:
    """The tokens of the normalised name, compounds joined.

    Parameters
    ----------
    text : str or None
        A name in Arabic or Latin script.
    repair_pdf : bool, default False
        Repair PDF lam-alef damage first (see :func:`repair_pdf_ligatures`).
    strip_articles : bool, default False
        Apply :func:`strip_article` to every token ("الحسن" -> "حسن").
    drop_particles : bool, default False
        Drop the genealogical particles in ``PARTICLES`` (بن, ابن, بنت, bin, ibn, ...).

    Returns
    -------
    list of str
        Given name, father, grandfather, family... as written; [] for None or empty.

    Examples
    --------
    >>> name_tokens("محمد بن عبد الله الحسن")
    ['محمد', 'بن', 'عبدالله', 'الحسن']
    >>> name_tokens("محمد بن عبد الله الحسن", strip_articles=True, drop_particles=True)
    ['محمد', 'عبدالله', 'حسن']
    """
    tokens = _tokens(_check(text, "name_tokens"), repair_pdf)
    if drop_particles:
        tokens = [t for t in tokens if t not in PARTICLES]
    if strip_articles:
        tokens = [strip_article(t) for t in tokens]
    return tokens


def _arabic_skeleton(token: str) -> str:
    token = strip_article(token)
    # Final ه after a consonant is usually ta marbuta (فاطمة, حمزة) or the h of الله,
    # both silent or dropped in Latin (Fatima, Hamza, Abdulla); طه (two letters) keeps it.
    if len(token) >= 3 and token[-1] == "\u0647" and token[-2] not in _ARABIC_LONG:
        token = token[:-1]
    out = []
    for i, ch in enumerate(token):
        if ch == "\u0627" or (ch in "\u0648\u064a" and i > 0):
            continue   # long vowels: alef always, waw / ya except at token start
        out.append(SKELETON_CLASSES.get(ch, ""))
    return "".join(out)


_LATIN_ABD = re.compile(r"^abd[aeiou]?([b-df-hj-np-tv-z])\1")        # abdurrahman -> abdal...
_LATIN_DIN = re.compile(r"^(..+?)(?:[aeiou]l-?d|[aeiou]dd|(?<=[^aeiou])d)(?:i|ee)ne?$")
_LATIN_LLAH = re.compile(r"ll[aeiou]h?$")                            # ...ullah -> ...ull


def _latin_skeleton(token: str) -> str:
    token = _LATIN_ABD.sub(r"abdal\1", token)
    token = _LATIN_DIN.sub(r"\1aldin", token)     # noureddine, nuruddin -> nouraldin
    token = _LATIN_LLAH.sub("ll", token)          # the h of allah, as in Arabic
    token = strip_article(token)
    if re.match(r"ou[aei]", token):               # French "ou" before a vowel is w: Ouassim
        token = "w" + token[2:]
    out, i = [], 0
    while i < len(token):
        pair = token[i:i + 2]
        if pair in LATIN_DIGRAPHS:
            out.append(LATIN_DIGRAPHS[pair])
            i += 2
            continue
        ch = token[i]
        if not (ch in _LATIN_VOWELS or (ch in "wy" and i > 0)):
            out.append(_LATIN_SINGLE.get(ch, ""))
        i += 1
    return "".join(out)


def skeleton(text: str | None, *, repair_pdf: bool = False) -> str:
    """An ASCII consonant skeleton of a name, for blocking and fuzzy comparison.

    Defined on the tokens of :func:`normalize_name`, script detected per token. Both
    scripts map to one set of consonant classes (``SKELETON_CLASSES``,
    ``LATIN_DIGRAPHS``), so that "Mohammed al-Hassan" and "محمد الحسن" give "mhmd hsn":

    * the article is dropped at token start (:func:`strip_article`);
    * Arabic: ا is dropped, و and ي are dropped except at token start; a final ه after
      a consonant is dropped (ta marbuta, the h of الله), not in two-letter words (طه);
      ع (and ء, already gone) map to nothing; ح ه -> h, خ -> x, ث س ص -> s,
      ذ ز ظ -> z, ت ط -> t, د ض -> d, ق ك -> k, ش -> c, غ -> g, ج -> j;
    * Latin: the vowels a e i o u are dropped, w and y except at token start; kh -> x,
      sh/ch -> c, th -> s, dh -> z, gh -> g, ph -> f, g -> j (Egyptian Gamal = جمال),
      q c -> k, p -> b, v -> f, x -> ks; "abdu" + doubled consonant is read as "abd al"
      ("abdurrahman" = "abdulrahman"), -eddine/-uddin/-din as -aldin, -ullah/-allah
      lose the final h; initial "ou" before a vowel is w (Ouassim);
    * doubled consonants collapse; tokens whose skeleton is empty (Latin "Aya", all
      vowels) are left out.

    Known disagreements: a Latin digraph that spells two Arabic letters (Adham = أدهم
    reads "dh", Ishaq = إسحاق reads "sh"), a final -ah for ta marbuta (Fatimah = فاطمة),
    a final ه after a long vowel that Latin leaves out (Aya = آية).

    Parameters
    ----------
    text : str or None
        A name in Arabic or Latin script (or both).
    repair_pdf : bool, default False
        Repair PDF lam-alef damage first (it does not change the skeleton of "بالل" vs
        "بلال" anyway, since alef is dropped; it does for "هللا").

    Returns
    -------
    str
        Token skeletons separated by single spaces; "" for None or empty input.

    Examples
    --------
    >>> skeleton("محمد الحسن"), skeleton("Mohammed al-Hassan")
    ('mhmd hsn', 'mhmd hsn')
    >>> skeleton("عبد الرحمن") == skeleton("Abdurrahman") == skeleton("Abdul Rahman")
    True
    """
    parts = (_arabic_skeleton(t) if _is_arabic(t) else _latin_skeleton(t)
             for t in _tokens(_check(text, "skeleton"), repair_pdf))
    return " ".join(re.sub(r"(.)\1+", r"\1", p) for p in parts if p)


def transliterate(text: str | None) -> str:
    """A plain consonantal Latin rendering of an Arabic name, for display and for a
    ``name_latin`` comparison when a list has only Arabic.

    Letter by letter on :func:`normalize_name`'s output, no short vowels guessed (they are
    not written): ث th, خ kh, ذ dh, ش sh, غ gh, ق q, ع ', ح and ه h, ا a; و is w at the
    start of a word and u elsewhere, ي is y at the start and i elsewhere; a final ه after
    a consonant (ta marbuta, normalised to ه) is written a. Latin tokens pass unchanged.
    Where h would follow a letter it forms a Latin digraph with (d, t, s, k, g, c, p), an
    "a" is put between them (أدهم -> "adahm", طه -> "tah"), so that the :func:`skeleton`
    of the rendering is the Arabic one. Not a pronunciation guide: "محمد" gives "mhmd".

    Parameters
    ----------
    text : str or None
        A name, Arabic script.

    Returns
    -------
    str
        The Latin rendering; "" for None or empty input.

    Examples
    --------
    >>> transliterate("محمد الحسن")
    'mhmd alhsn'
    >>> transliterate("فاطمة يوسف")
    'fatma yusf'
    """
    out = []
    for tok in _tokens(_check(text, "transliterate"), False):
        if not _is_arabic(tok):
            out.append(tok)
            continue
        letters: list[str] = []
        for i, ch in enumerate(tok):
            if ch in "\u062d\u0647" and letters and letters[-1][-1:] in _DIGRAPH_STARTS:
                letters.append("a")   # keep د+ه apart from "dh", ط+ه from "th": أدهم adahm
            if ch == "\u0648":
                letters.append("w" if i == 0 else "u")
            elif ch == "\u064a":
                letters.append("y" if i == 0 else "i")
            elif ch == "\u0647" and i == len(tok) - 1 and i >= 2 and tok[i - 1] not in _ARABIC_LONG:
                letters.append("a")
            else:
                letters.append(_TRANSLIT.get(ch, ""))
        out.append("".join(letters))
    return " ".join(t for t in out if t)
