Feature: Shared collections are read-only
  Only a shared track can be saved: a shared collection is read-only. The docs do not name
  the status, so any client error with the documented envelope conforms.

  @clause:SAVE-COLLECTION-READ-ONLY
  Scenario: Saving a collection share returns a 4xx error envelope
    [doc] "Only a shared **track** can be saved — a shared collection is read-only." (docs/save-shared-track.md)

    Given the recipient's API key
    And the collection share token
    When the share is saved
    Then the status is a client error
    And the body is an error envelope
