"""How customers ask for their data-protection rights in the chat, per language, as data.

One module per language (``en``, ``de``, ``nl``, ``it``, ``pt_br``) holds its ``Lexicon``;
``templating`` is the pattern language they are written in, ``citations`` reads article
citations ("Art. 17 GDPR"). ``consent.request_intents`` applies them.
"""

from consent.request_phrases import de, en, it, nl, pt_br
from consent.request_phrases.templating import Lexicon

__all__ = ["LEXICONS", "Lexicon"]

# Keyed by consent's language codes; this order is also the order languages are tried in.
LEXICONS: dict[str, Lexicon] = {
    "en": en.LEXICON,
    "de": de.LEXICON,
    "nl": nl.LEXICON,
    "it": it.LEXICON,
    "pt-br": pt_br.LEXICON,
}
