"""Complaint handling (银行业保险业消费投诉处理管理办法): recording, ownership, deadlines, extensions,
resolution, re-opening and the customer's letter."""
