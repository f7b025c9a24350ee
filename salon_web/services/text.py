"""Text normalisation shared by search, sorting and duplicate checks."""
import unicodedata


def fold(text):
    """Return text lower-cased with accents stripped ("Émilie" -> "emilie")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
