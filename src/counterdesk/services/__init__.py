"""Services: the operations of the product on the encrypted store, each checking the signed-in
user's permission and writing its audit entry in the same transaction. Qt-free."""
