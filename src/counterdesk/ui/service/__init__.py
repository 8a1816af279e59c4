"""The branch's service after the sale: complaints (the queue, one complaint, recording one)."""
