def migrate(cr, version):
    """Contacts and promises share one list of channels, in which a call is "phone"
    (the key promises always used): contacts logged as "call" keep their meaning."""
    cr.execute("UPDATE collection_contact SET channel = 'phone' WHERE channel = 'call'")
    cr.execute("UPDATE collection_contact_log SET channel = 'phone' WHERE channel = 'call'")
