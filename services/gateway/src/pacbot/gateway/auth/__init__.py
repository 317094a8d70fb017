"""How the gateway knows who calls: API keys, OIDC bearer tokens and browser sessions."""
