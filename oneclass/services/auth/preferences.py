"""A signed-in person's own preferences: today, the interface's language."""

from oneclass import i18n
from oneclass.current_user import CurrentUser
from oneclass.services.auth.accounts import account_unit_of_work, load_account
from oneclass.services.errors import ValidationFailed


def set_language(*, actor: CurrentUser, language: str) -> None:
    """Remember `language` on the actor's own account, so it follows them to another browser.
    Nobody sets another person's language: the account is the actor's, by construction."""
    chosen = i18n.normalise_language(language)
    if not chosen:
        raise ValidationFailed({"language": i18n.format_message("Choose one of: {languages}.", languages=", ".join(i18n.LANGUAGES))})
    with account_unit_of_work(actor.school_id) as session:
        account = load_account(session, actor)
        if account.language != chosen:
            account.language = chosen
            session.add(account)
