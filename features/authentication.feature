Feature: Signing in to save
  Unlike the public resolve, saving a shared track requires sign-in. Without a valid key the
  answer is 401 whatever the token, so an unauthenticated caller learns nothing about tokens.

  @clause:SAVE-401-MISSING-KEY
  Scenario: Saving without an X-API-Key header returns 401 AUTHENTICATION_REQUIRED
    Given no API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the error code is "AUTHENTICATION_REQUIRED"
    And the error type is "authentication_error"

  @clause:SAVE-401-MISSING-KEY
  Scenario: Saving with an empty X-API-Key header returns 401 AUTHENTICATION_REQUIRED
    Given an empty API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the error code is "AUTHENTICATION_REQUIRED"
    And the error type is "authentication_error"

  @clause:SAVE-401-BEFORE-TOKEN
  Scenario Outline: Saving the <state> share token without a key returns 401 AUTHENTICATION_REQUIRED
    Given no API key
    And the <state> share token
    When the share is saved
    Then the status is 401
    And the error code is "AUTHENTICATION_REQUIRED"

    Examples:
      | state   |
      | live    |
      | revoked |
      | unknown |

  @clause:SAVE-401-BEFORE-TOKEN
  Scenario: Saving without a key returns one envelope for live, revoked and unknown tokens
    Given no API key
    When the live, revoked and unknown share tokens are each saved
    Then those responses are identical apart from trace_id and timestamp

  @clause:SAVE-401-INVALID-KEY
  Scenario: Saving with an unknown API key returns 401
    Given an unknown API key
    And the live share token
    When the share is saved
    Then the status is 401
    And the error code is "AUTHENTICATION_REQUIRED" or "INVALID_API_KEY"
