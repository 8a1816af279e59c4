"""The teller's counter work: the counter session's pages, finding a customer, after the sale."""
