"""The retention job (domain-rules §6; 个人信息保护法 Art 47): purge what has passed its retention period,
leaving a tombstone and an audit entry (``job``)."""
