Feature: Saving a shared track
  A signed-in recipient saves a live track share into their own library. The answer is
  201 Created with the new library edge, a `shared`-sourced edge to the shared track; the track
  lands in the recipient's library, and the original track is unchanged.

  The run's first save of the live token is shared by every scenario that examines a save. It
  is bracketed: the public view of the share and the recipient's library are read before any
  save of the live token, and again after it. A repeat save is made only where a scenario says
  "again" (the docs do not say what a repeat save answers). If the live token had been saved
  before the run, a check that fails on the first save is NOT-TESTABLE, not failed.

  Background:
    Given the recipient's API key
    And the live share token

  @clause:SAVE-201-CREATED
  Scenario: Saving a live track share returns 201 Created
    [doc] "Returns `201 Created` with the new library edge." (docs/save-shared-track.md)

    When the share is saved
    Then the status is 201

  @clause:SAVE-EDGE-SHAPE
  Scenario: Saving a live track share returns a library edge
    [doc] "Returns: A library edge object." (docs/save-shared-track.md)
    [doc] "`id` Library edge id (`mlib_`-prefixed). `track_id` (`mtrack_`-prefixed)." (docs/save-shared-track.md)
    [doc] "`source` Always `shared` for this endpoint." (docs/save-shared-track.md)
    [doc] "`share_link_id` (`mslink_`-prefixed), or `null`. `created_at` When the edge was created (UTC)." (docs/save-shared-track.md)

    When the share is saved
    Then the status is a success
    And the body is a library edge

  @clause:SAVE-EDGE-TARGET
  Scenario: The saved edge's track_id is the shared track
    [doc] "`track_id` Id of the saved track." (docs/save-shared-track.md)

    When the share is saved
    Then the status is a success
    And the edge's track_id is the shared track

  @clause:SAVE-EDGE-TARGET
  Scenario: The saved edge's share_link_id is the originating share link or null
    [doc] "`share_link_id` Id of the originating share link (`mslink_`-prefixed), or `null`." (docs/save-shared-track.md)

    When the share is saved
    Then the status is a success
    And the edge's share_link_id is the share's id or null

  @clause:SAVE-ORIGINAL-UNCHANGED @resolve
  Scenario: The run's first save leaves the shared track's documented fields unchanged
    [doc] "The track is added as a `shared`-sourced library edge; the original track is unchanged." (docs/save-shared-track.md)
    [doc] "`playback_url` (short-lived signed URL, freshly minted on every request)" (docs/related-endpoints.md): set aside

    When the share is saved
    Then the shared track's documented fields are the same before and after the first save

  @clause:SAVE-ORIGINAL-UNCHANGED @resolve
  Scenario: A repeat save leaves the shared track's documented fields unchanged too
    [doc] "The track is added as a `shared`-sourced library edge; the original track is unchanged." (docs/save-shared-track.md)

    When the share is saved again
    Then the shared track's documented fields are the same before any save and after the repeat save

  @clause:SAVE-LIBRARY-ADDED @library @after-the-rest
  Scenario: After the save the shared track, and only it, is added to the recipient's library
    [doc] "Save a shared track into the recipient's own library." (docs/save-shared-track.md)
    [doc] "The track is added as a `shared`-sourced library edge" (docs/save-shared-track.md)
    [doc] "List saved tracks: `GET /v1/music/{organization_id}/tracks`; newest save first." (docs/related-endpoints.md)

    When the share is saved
    Then the status is a success
    And the saved track is in the recipient's library

  @clause:SAVE-CREATED-AT-NOW
  Scenario: The saved edge's created_at is the time of the save
    [doc] "`created_at` When the edge was created (UTC)." (docs/save-shared-track.md)
    [doc] "Returns `201 Created` with the new library edge." (docs/save-shared-track.md): the edge is made by this save

    When the share is saved
    Then the status is a success
    And the edge's created_at is within 15 minutes of the target's clock

  @clause:SAVE-EDGE-AS-EXAMPLE @should
  Scenario: The saved edge's ids and created_at have the form of the example
    [ex] `"id": "mlib_6d2f9a4c1e83"`, `"created_at": "2026-06-28T10:30:00Z"` (docs/save-shared-track.md): the 201 Created example

    When the share is saved
    Then the status is a success
    And the edge's ids and created_at have the form of the example

  @clause:SAVE-SHARE-LINK-ID-KNOWN @should
  Scenario: The saved edge names its share link when the share's id is known
    [doc] "`share_link_id` Id of the originating share link (`mslink_`-prefixed), or `null`." (docs/save-shared-track.md)
    [inferred] null is for a share the target no longer knows; this one it knows

    When the share is saved
    Then the status is a success
    And the edge's share_link_id is not null, since the share's id is known

  @clause:HTTP-JSON-CONTENT-TYPE @should
  Scenario: The saved edge is served as JSON
    [inferred] the examples show JSON bodies; no page states a Content-Type (docs/save-shared-track.md)

    When the share is saved
    Then the content type is JSON

  @clause:SAVE-NO-ECHO @should
  Scenario: The save's answer carries neither the share token nor the key
    [inferred] the raw token is shown once and only a hash is stored; keys are credentials (docs/related-endpoints.md)

    When the share is saved
    Then the response carries neither the share token nor the credential it was sent

  @clause:SAVE-REPEAT @should
  Scenario: A repeat save answers a library edge for the same track or an error envelope
    [inferred] "what a second save of the same share returns is not documented" (docs/related-endpoints.md)

    When the share is saved
    And the share is saved again
    Then the repeat save answers a library edge for the same track or an error envelope
