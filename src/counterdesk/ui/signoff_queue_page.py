from .widgets import Page


class SignoffApprovalsPage(Page):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
