"""Data rights (个人信息保护法 Arts 44-47): a customer's access request as an encrypted file or a
printout (``export``). The restriction after a deletion request is in
``counterdesk.services.customers.data_rights``; the retention job in ``counterdesk.services.retention``."""
