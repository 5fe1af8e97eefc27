"""Password rules the library's validators do not word in Chinese."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message the clerk can read: Django's Chinese catalogue words an older
    form of the message ("%(min_length)d" where the code now asks for "%d"), so it showed in
    English."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(n)s 个字符。") % {"n": self.min_length}
