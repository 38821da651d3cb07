"""The e-mail service providers (ESPs) the portal can send through, by anymail.

`EMAIL_PROVIDER` (the environment) names one; settings pick its back-end from here, and the
tracking webhook (`mailing.views.tracking_webhook`) its anymail webhook view. Each provider's
keys are read from the environment variables listed beside it (see `.env.example`).
"""

# name: (anymail's module, the class prefix of its webhook views, the variables it reads)
PROVIDERS = {
    "postmark": ("postmark", "Postmark", ("POSTMARK_SERVER_TOKEN",)),
    "mailgun": (
        "mailgun",
        "Mailgun",
        (
            "MAILGUN_API_KEY",
            "MAILGUN_SENDER_DOMAIN",
            "MAILGUN_API_URL",
            "MAILGUN_WEBHOOK_SIGNING_KEY",
        ),
    ),
    "sendgrid": ("sendgrid", "SendGrid", ("SENDGRID_API_KEY",)),
    "brevo": ("brevo", "Brevo", ("BREVO_API_KEY",)),
    "sparkpost": ("sparkpost", "SparkPost", ("SPARKPOST_API_KEY", "SPARKPOST_API_URL")),
    "mailjet": ("mailjet", "Mailjet", ("MAILJET_API_KEY", "MAILJET_SECRET_KEY")),
    "resend": ("resend", "Resend", ("RESEND_API_KEY", "RESEND_SIGNING_SECRET")),
    # Amazon SES reads its credentials as boto3 does (AWS_* variables or the server's role).
    "amazon_ses": ("amazon_ses", "AmazonSES", ()),
}


def backend_path(provider: str) -> str:
    return f"anymail.backends.{PROVIDERS[provider][0]}.EmailBackend"


def tracking_view_path(provider: str) -> str:
    module, prefix, _names = PROVIDERS[provider]
    return f"anymail.webhooks.{module}.{prefix}TrackingWebhookView"


def anymail_settings(provider: str, environ) -> dict:
    """anymail's settings for `provider` from the environment: its keys (named without the
    provider's prefix's repetition, as anymail names them) and the shared webhook secret."""
    settings = {}
    for name in PROVIDERS[provider][2]:
        if environ.get(name):
            settings[name] = environ[name]
    if environ.get("ANYMAIL_WEBHOOK_SECRET"):
        settings["WEBHOOK_SECRET"] = environ["ANYMAIL_WEBHOOK_SECRET"]
    return settings
