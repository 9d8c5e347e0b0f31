{#- The next-track model's training input, in Spotify catalog ids: how often one track
    directly followed another in playlist order (MPD and own) and in Last.fm listening
    sessions, counted once per scope — `training` (sequences `dim_ml_splits` puts in
    `train` or `validation`; next track selects no model, so validation is training data),
    `test` (sequences in `test`: what the evaluation holds out) and `all` (every sequence:
    what the served suggestions learn from). A sequence without a split row (none today)
    counts as training. Session-dataset transitions are in another id space and left out. -#}

with

playlist_transitions as (
    select * from {{ ref('int_playlist_transitions') }}
),

scrobble_transitions as (
    select * from {{ ref('int_scrobble_transitions') }}
),

splits as (
    select * from {{ ref('dim_ml_splits') }}
),

transitions as (
    select
        'playlist' as entity_type,
        sequence_id,
        prev_track_id,
        next_track_id
    from playlist_transitions
    union all
    select
        'listening_session' as entity_type,
        sequence_id,
        prev_track_id,
        next_track_id
    from scrobble_transitions
),

split_counts as (
    select
        transitions.prev_track_id,
        transitions.next_track_id,
        coalesce(splits.split = 'test', false) as is_test,
        count(*) as n_transitions
    from transitions
    left join splits
        on
            transitions.entity_type = splits.entity_type
            and transitions.sequence_id = splits.entity_id
    group by
        transitions.prev_track_id,
        transitions.next_track_id,
        coalesce(splits.split = 'test', false)
),

scoped as (
    select
        case when is_test then 'test' else 'training' end as scope,
        prev_track_id,
        next_track_id,
        n_transitions
    from split_counts
    union all
    select
        'all' as scope,
        prev_track_id,
        next_track_id,
        sum(n_transitions) as n_transitions
    from split_counts
    group by prev_track_id, next_track_id
),

final as (
    select
        scope,
        prev_track_id,
        next_track_id,
        cast(n_transitions as bigint) as n_transitions
    from scoped
)

select * from final
