{#- Feature lists shared by the session models, so the observed-half profiles, their
    distances and the YAML stay in step. -#}

{#- 0–1 audio descriptors used for the skipped / played profiles of a session. -#}
{% macro session_profile_audio_features() -%}
    {{ return(['acousticness', 'danceability', 'energy', 'instrumentalness', 'speechiness',
        'valence']) }}
{%- endmacro %}

{#- The 8 components of the session dataset's acoustic embedding. -#}
{% macro session_profile_vector_features() -%}
    {%- set names = [] -%}
    {%- for i in range(8) -%}
        {%- do names.append('acoustic_vector_' ~ i) -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}

{#- Every feature of the session dataset's track-features file, in file order. -#}
{% macro session_track_features() -%}
    {{ return(['duration_s', 'release_year', 'us_popularity_estimate', 'acousticness',
        'beat_strength', 'bounciness', 'danceability', 'dyn_range_mean', 'energy', 'flatness',
        'instrumentalness', 'key', 'liveness', 'loudness', 'mechanism', 'mode', 'organism',
        'speechiness', 'tempo', 'time_signature', 'valence']
        + session_profile_vector_features()) }}
{%- endmacro %}

{#- Euclidean distance between two points given as column prefixes, over `features`:
    sqrt(sum((<a><f> - <b><f>)^2)). NULL when any component is NULL. -#}
{% macro euclidean_distance(a_prefix, b_prefix, features) -%}
    sqrt(
        {%- for f in features %}
        power({{ a_prefix }}{{ f }} - {{ b_prefix }}{{ f }}, 2){{ ' +' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}

{#- Cosine similarity of two points given as column prefixes, over `features`:
    a·b / (|a| |b|), clamped to [-1, 1] against rounding (with `case`, as `greatest` and
    `least` skip NULLs on some engines). NULL when either point has a NULL component or is
    the zero vector. -#}
{% macro cosine_similarity(a_prefix, b_prefix, features) -%}
    {%- set raw -%}
        (
            {%- for f in features %}
            {{ a_prefix }}{{ f }} * {{ b_prefix }}{{ f }}{{ ' +' if not loop.last }}
            {%- endfor %}
        )
        / nullif(
            sqrt(
                {%- for f in features %}
                power({{ a_prefix }}{{ f }}, 2){{ ' +' if not loop.last }}
                {%- endfor %}
            )
            * sqrt(
                {%- for f in features %}
                power({{ b_prefix }}{{ f }}, 2){{ ' +' if not loop.last }}
                {%- endfor %}
            ),
            0
        )
    {%- endset -%}
    case
        when {{ raw }} > 1 then 1.0
        when {{ raw }} < -1 then -1.0
        else {{ raw }}
    end
{%- endmacro %}

{#- ISO day of the week of a date: 1 = Monday … 7 = Sunday. -#}
{% macro iso_day_of_week(expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(expr)) }}
{%- endmacro %}

{% macro duckdb__iso_day_of_week(expr) -%}
    cast(isodow({{ expr }}) as integer)
{%- endmacro %}

{% macro spark__iso_day_of_week(expr) -%}
    cast(weekday({{ expr }}) + 1 as integer)
{%- endmacro %}
