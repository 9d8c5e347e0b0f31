{#- Every staged scrobble, and every staged Spotify stream that counts as a listen, reaches
    the listening marts exactly once: rows of fct_scrobbles = rows of stg_lastfm__scrobbles
    + listens of stg_spotify__streams = Σ n_scrobbles of rpt_listening_daily (and of the
    artist and track levels of rpt_listening_monthly, and of rpt_uri_match_coverage).
    Returns one row per count that differs. -#}

with

lastfm_scrobbles as (
    select count(*) as n_rows from {{ ref('stg_lastfm__scrobbles') }}
),

stream_listens as (
    select count(*) as n_rows from {{ ref('stg_spotify__streams') }}
    where is_listen
),

scrobbles as (
    select lastfm_scrobbles.n_rows + stream_listens.n_rows as n_rows
    from lastfm_scrobbles
    cross join stream_listens
),

fct_scrobbles as (
    select count(*) as n_rows from {{ ref('fct_scrobbles') }}
),

daily as (
    select sum(n_scrobbles) as n_rows from {{ ref('rpt_listening_daily') }}
),

monthly as (
    select
        item_level,
        sum(n_scrobbles) as n_rows
    from {{ ref('rpt_listening_monthly') }}
    where item_level in ('artist', 'track')
    group by item_level
),

coverage as (
    select sum(n_scrobbles) as n_rows from {{ ref('rpt_uri_match_coverage') }}
),

counts as (
    select
        'fct_scrobbles' as counted_in,
        n_rows
    from fct_scrobbles
    union all
    select
        'rpt_listening_daily' as counted_in,
        coalesce(n_rows, 0) as n_rows
    from daily
    union all
    select
        {{ dbt.concat(["'rpt_listening_monthly level '", 'item_level']) }} as counted_in,
        n_rows
    from monthly
    union all
    select
        'rpt_uri_match_coverage' as counted_in,
        coalesce(n_rows, 0) as n_rows
    from coverage
),

final as (
    select
        counts.counted_in,
        counts.n_rows,
        scrobbles.n_rows as n_staged_scrobbles
    from counts
    cross join scrobbles
    where counts.n_rows <> scrobbles.n_rows
)

select * from final
