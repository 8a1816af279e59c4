"""Password policy: returns structured problems, never raises."""
from __future__ import annotations

from counterdesk.base.text import Result, Text


def check_password(password: str, username: str = "", min_length: int = 12) -> Result:
    res = Result()
    if not isinstance(password, str):
        res.add("password", "type", Text("密码必须是文本。", "The password must be text."))
        return res
    if len(password) < min_length:
        res.add("password", "too_short", Text(f"密码至少需要 {min_length} 个字符。",
                                              f"The password needs at least {min_length} characters."))
    if len(password) > 256:
        res.add("password", "too_long", Text("密码不得超过 256 个字符。",
                                             "The password must not exceed 256 characters."))
    if password and len(set(password)) < 4:
        res.add("password", "too_simple", Text("密码至少需要 4 个不同的字符。",
                                               "The password needs at least 4 different characters."))
    classes = sum([any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)])
    if password and classes < 2:
        res.add("password", "one_class", Text("密码需包含字母、数字、符号中的至少两类。",
                                              "Use at least two of: letters, digits, symbols."))
    if username and username.strip().lower() in password.lower():
        res.add("password", "contains_username", Text("密码不能包含用户名。",
                                                      "The password must not contain the username."))
    if any(ord(c) < 32 for c in password):
        res.add("password", "control_char", Text("密码不能包含控制字符。",
                                                 "The password must not contain control characters."))
    return res


def check_username(username: str) -> Result:
    res = Result()
    name = (username or "").strip()
    if not (3 <= len(name) <= 32):
        res.add("username", "length", Text("用户名长度须为 3 至 32 个字符。",
                                           "The username must be 3 to 32 characters."))
    if name and not all(c.isascii() and (c.isalnum() or c in "._-") for c in name):
        res.add("username", "chars", Text("用户名只能包含字母、数字和 . _ -。",
                                          "The username may contain only letters, digits and . _ -"))
    return res
