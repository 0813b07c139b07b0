Feature: Saving a shared track
  A signed-in recipient saves a live track share into their own library. The answer is
  201 Created with the new library edge, a `shared`-sourced edge to the shared track, and the
  original track is unchanged.

  The first save of the live token in a run is shared by every scenario that examines it; a
  repeat save is made only where a scenario says "again" (the docs do not say what it answers).

  Background:
    Given the recipient's API key
    And the live share token

  @clause:SAVE-201-CREATED
  Scenario: Saving a live track share returns 201 Created as JSON
    When the share is saved
    Then the status is 201
    And the content type is JSON

  @clause:SAVE-EDGE-SHAPE
  Scenario: Saving a live track share returns a library edge
    When the share is saved
    Then the status is a success
    And the body is a library edge

  @clause:SAVE-EDGE-TARGET
  Scenario: The saved edge's track_id is the shared track
    When the share is saved
    Then the status is a success
    And the edge's track_id is the shared track

  @clause:SAVE-EDGE-TARGET
  Scenario: The saved edge's share_link_id is the originating share link or null
    When the share is saved
    Then the status is a success
    And the edge's share_link_id is the share's id or null

  @clause:SAVE-ORIGINAL-UNCHANGED @resolve
  Scenario: Saving leaves the shared track's public view unchanged
    Given the public view of the share is recorded
    When the share is saved again
    Then the public view of the share is unchanged apart from playback_url

  @clause:SAVE-CREATED-AT-NOW @should
  Scenario: The saved edge's created_at is the time of the save
    When the share is saved
    Then the status is a success
    And the edge's created_at is within 5 minutes of the harness clock

  @clause:SAVE-REPEAT @should
  Scenario: A repeat save answers a library edge for the same track or an error envelope
    When the share is saved
    And the share is saved again
    Then the repeat save answers a library edge for the same track or an error envelope
