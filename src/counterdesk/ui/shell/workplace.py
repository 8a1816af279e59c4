"""What the window needs once an installation is open: the DEMO set-up, each role's home with all its
pages and services, the change-password dialog and the background sync. The main window imports
this module on its first use, never before the first frame (see ``main_window.workplace``)."""
from counterdesk.services.auth.vault import preload_reference_data
from counterdesk.services.demo import create_demo
from counterdesk.ui.shell.home import HomePage
from counterdesk.ui.shell.password_dialog import ChangePasswordDialog
from counterdesk.ui.shell.sync_status import SyncController

__all__ = ["ChangePasswordDialog", "HomePage", "SyncController", "create_demo", "preload_reference_data"]
