"""`{% newsletter_consent %}`: the consent sentence beside every sign-up form, in the reader's language
(the same function gives the text that is recorded, so what was shown is what is kept)."""

from django import template

from newsletters.forms import consent_sentence

register = template.Library()


@register.simple_tag
def newsletter_consent() -> str:
    return consent_sentence()
