{{ config(materialized='table') }}

{%- set spec = [
    {'name': 'track_id', 'raw': 'id', 'type': 'sql', 'required': true,
        'expr': "coalesce(" ~ nullif_blank('audio_features.id') ~ ", nullif(split_part("
            ~ nullif_blank('audio_features.uri') ~ ", ':', 3), ''))"},
] + spotify_feature_spec('audio_features') -%}
{#- One row per track: a single API object wins over an API page, which wins over CSV. -#}
{%- set precedence -%}
    case source_format when 'api_object' then 1 when 'api_page' then 2 else 3 end, source_file
{%- endset -%}

with

audio_features as (
    select * from {{ source('spotify', 'audio_features') }}
),

final as (
    {{ stage_with_rejects(
        'audio_features', spec, ['track_id'], order_by=precedence,
        passthrough=['source_format', 'source_file']
    ) }}
)

select * from final
