"""The follow-up list: post-sale calls, an older customer's extra follow-up, expiring risk assessments
and maturing products, computed from the store, with the outcome of each contact (Qt-free)."""
