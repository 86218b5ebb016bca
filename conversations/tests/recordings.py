"""What the recorded WhatsApp payloads (``fixtures/whatsapp``; SOURCES.md says whence) hold, written down once:
the parser's tests read it out of each payload, the webhook's replay finds it applied."""

# file → (the status it reports, its error code)
STATUSES = {
    "meta_16_status_sent.json": ("sent", ""),
    "meta_17_status_delivered.json": ("delivered", ""),
    "meta_19_status_failed_131049.json": ("failed", "131049"),
    "netflie_19b_status_failed_131053.json": ("failed", "131053"),
    "pywa_16_status_sent.json": ("sent", ""),
    "pywa_17_status_delivered.json": ("delivered", ""),
    "pywa_18_status_read.json": ("read", ""),
    "pywa_19_status_failed.json": ("failed", "130472"),
}
# file → (old wa_id, new wa_id), as the payload writes them (the PHP SDK's are placeholders)
NUMBER_CHANGES = {
    "meta_15_system_user_changed_number.json": ("16505551234", "12195555358"),
    "pywa_15_system_user_changed_number.json": ("972987654321", "972912345678"),
    "netflie_15b_system_user_changed_number.json": ("PHONE_NUMBER", "NEW_PHONE_NUMBER_ID"),
}
