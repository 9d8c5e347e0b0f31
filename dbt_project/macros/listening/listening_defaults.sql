{#- The listening models' settings and their documented defaults, in one place
    (override with `--vars '{listening_session_gap_minutes: 20}'`). -#}

{#- A gap of more than this many minutes since a user's previous scrobble starts a new
    listening session; a gap of exactly this long does not. -#}
{% macro listening_session_gap_minutes() -%}
    {{ return(number_var('listening_session_gap_minutes', 1, 1440, default=30)) }}
{%- endmacro %}

{#- Minutes credited to a scrobble whose track has no known duration (unmatched, or the
    matched Spotify track has none): 3.5, a typical track length. -#}
{% macro default_track_minutes() -%}
    {{ return(number_var('default_track_minutes', 0.1, 120, default=3.5)) }}
{%- endmacro %}

{#- A Spotify stream counts as a listen (like a scrobble) when at least this many seconds
    were played: Last.fm's floor for a scrobble (30 s). Shorter plays, 0 ms included, stay
    staged as plays that are not listens. -#}
{% macro min_listen_seconds() -%}
    {{ return(number_var('min_listen_seconds', 0, 600, integer=true, default=30)) }}
{%- endmacro %}
