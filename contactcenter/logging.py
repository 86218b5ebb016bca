"""Log filter that keeps personal data out of log output (DESIGN decision 6).

Code logs internal ids only; this filter is the safety net for what slips
through (a third-party library formatting a request, an exception message
quoting a value). It rewrites the record after formatting: e-mail addresses
and digit runs long enough to be a phone, card or account number are masked,
also inside tracebacks; so are the tokens of the customers' links (a request's
status page, an export's download), which are credentials: a server's access
log would otherwise hold them.
"""

import logging
import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven or more digits, possibly split by spaces, dots, dashes or a leading +.
_LONG_NUMBER = re.compile(r"\+?\d(?:[\s.\-/]?\d){6,}")


# /privacy/requests/<token>/ and /privacy/download/<token>/: the path's last part is the credential.
_LINK_TOKEN = re.compile(r"(/privacy/(?:requests|download)/)[^/\s?\"']+")
# A search's words (the inbox API's and the admin's ``?q=``) are a customer's name or message words.
_SEARCH_QUERY = re.compile(r"([?&]q=)[^&\s\"']*")


def redact(text: str) -> str:
    text = _LINK_TOKEN.sub(r"\1[token]", text)
    text = _SEARCH_QUERY.sub(r"\1[query]", text)
    text = _EMAIL.sub("[email]", text)
    return _LONG_NUMBER.sub("[number]", text)


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a broken format string must not drop the line
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
        return True
