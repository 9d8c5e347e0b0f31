{#- The hash split gives about 80/10/10 % of the sessions to train / validation / test:
    with at least 1,000 sessions, each share is within 3 points of its target. -#}

with

skip_labels as (
    select * from {{ ref('fct_session_skip_labels') }}
),

sessions as (
    select
        session_id,
        max(split) as split
    from skip_labels
    group by session_id
),

shares as (
    select
        count(*) as n_sessions,
        avg(case when split = 'train' then 1 else 0 end) as share_train,
        avg(case when split = 'validation' then 1 else 0 end) as share_validation,
        avg(case when split = 'test' then 1 else 0 end) as share_test
    from sessions
),

final as (
    select *
    from shares
    where
        n_sessions >= 1000
        and (
            abs(share_train - 0.8) > 0.03
            or abs(share_validation - 0.1) > 0.03
            or abs(share_test - 0.1) > 0.03
        )
)

select * from final
