/// Credential-scoped rate budgets (see CredentialBudget).
