"""The customer's evaluation of the service at the end of a counter session (评价器): captured only
from the customer window, read back only as aggregates large enough that no single rating shows."""
