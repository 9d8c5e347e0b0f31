{{ config(materialized='table') }}

{#- Matching is by case-folded, trimmed artist and track; the first file wins a tie. -#}
{%- set spec = [
    {'name': 'artist_name', 'raw': 'artist', 'type': 'text', 'required': true},
    {'name': 'track_name', 'raw': 'track', 'type': 'text', 'required': true},
    {'name': 'artist_key', 'raw': 'artist', 'type': 'sql',
        'expr': "lower(" ~ nullif_blank('uri_matches.artist') ~ ")"},
    {'name': 'track_key', 'raw': 'track', 'type': 'sql',
        'expr': "lower(" ~ nullif_blank('uri_matches.track') ~ ")"},
    {'name': 'track_uri', 'raw': 'track_uri', 'type': 'text'},
    {'name': 'track_id', 'raw': 'track_uri', 'type': 'sql',
        'expr': "nullif(split_part(" ~ nullif_blank('uri_matches.track_uri') ~ ", ':', 3), '')"},
] -%}
{%- set checks = [
    {'when': "typed.track_uri is not null and typed.track_uri not like 'spotify:track:%'",
        'reason': 'track_uri not a track URI'},
] -%}

with

uri_matches as (
    select * from {{ source('spotify', 'uri_matches') }}
),

final as (
    {{ stage_with_rejects('uri_matches', spec, ['artist_key', 'track_key'], checks=checks) }}
)

select * from final
