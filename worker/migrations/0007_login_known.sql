-- Addresses from which an account signed in successfully, so that its owner can still sign in there while
-- strangers spend the account's limit of failed passwords from elsewhere. One row per account and address.
CREATE TABLE login_known (
  key TEXT PRIMARY KEY,
  last_success INTEGER NOT NULL
);
