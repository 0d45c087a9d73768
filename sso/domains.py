"""Which e-mail domain an admin may claim for their company's single sign-on.

Proof of ownership: the admin's own confirmed e-mail address is on that domain. A DNS TXT
record would prove more, but needs a resolver and a published record this product cannot
check from here; an address the company gave its admin, confirmed by a link Aligned e-mailed
or an invitation, is the proof a small company can give at once. Public e-mail providers
are refused: anyone can have an address there.
"""

PUBLIC_PROVIDERS = frozenset(
    {
        "aol.com", "gmail.com", "gmx.de", "gmx.net", "googlemail.com", "hotmail.com",
        "icloud.com", "live.com", "mail.com", "me.com", "msn.com", "outlook.com",
        "proton.me", "protonmail.com", "web.de", "yahoo.com", "yandex.ru", "zoho.com",
    }
)  # fmt: skip


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def normalise(domain: str) -> str:
    return domain.strip().lower().lstrip("@").rstrip(".")


def claim_refusal(*, user, domain: str) -> str | None:
    """Why ``user`` may not claim ``domain`` (None: they may)."""
    own = domain_of(user.email)
    if domain in PUBLIC_PROVIDERS:
        return f"{domain} is a public e-mail provider: anyone can have an address there."
    if own != domain or not user.email_verified:
        return (
            f"You can claim only the domain of your own confirmed e-mail address "
            f"({user.email}, so {own}). An admin whose address is on {domain} can set it up."
        )
    return None
