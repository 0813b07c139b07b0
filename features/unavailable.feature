Feature: Unavailable shares
  A revoked, expired, or removed share returns a graceful 404, and so does a token that was
  never issued. The four answers are identical, so the API does not reveal why a token failed.

  Background:
    Given the recipient's API key

  @clause:SAVE-404-REVOKED
  Scenario: Saving a revoked share returns 404 RESOURCE_NOT_FOUND
    Given the revoked share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"
    And the error message is "This share link is no longer available."

  @clause:SAVE-404-EXPIRED
  Scenario: Saving an expired share returns 404 RESOURCE_NOT_FOUND
    Given the expired share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"
    And the error message is "This share link is no longer available."

  @clause:SAVE-404-REMOVED
  Scenario: Saving a share whose track was deleted returns 404 RESOURCE_NOT_FOUND
    Given the removed share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"
    And the error message is "This share link is no longer available."

  @clause:SAVE-404-UNKNOWN
  Scenario: Saving a token that was never issued returns 404 RESOURCE_NOT_FOUND
    Given the unknown share token
    When the share is saved
    Then the status is 404
    And the error code is "RESOURCE_NOT_FOUND"
    And the error message is "This share link is no longer available."

  @clause:SAVE-404-NO-ORACLE
  Scenario: Revoked, expired, removed and unknown tokens return one envelope
    When the revoked, expired, removed and unknown share tokens are each saved
    Then those responses are identical apart from trace_id and timestamp
