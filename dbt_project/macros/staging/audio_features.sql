{#- The Spotify audio descriptors shared by every feature source, with the values they cannot
    take (README, "Bounds and their sources"): a 0–1 confidence outside 0–1, a negative tempo
    or duration, key outside -1 (no key detected) … 11, mode other than 0/1, a negative time
    signature, loudness outside the sanity range -100…+20 dB. Rare values (loudness above
    +5 dB, tempo above 250, time signature 0 or 1) are staged and counted by warn tests.
    `key_expr`, `mode_expr` and `time_signature_expr` override how those are decoded
    (the tracks-by-genre CSV spells them `C#`, `Major`, `4/4`). -#}
{% macro spotify_feature_spec(relation, key_expr=none, mode_expr=none, time_signature_expr=none) -%}
    {%- set spec = [] -%}
    {%- for f in ['danceability', 'energy', 'speechiness', 'acousticness', 'instrumentalness',
        'liveness', 'valence'] -%}
        {%- do spec.append({'name': f, 'raw': f, 'type': 'number', 'min': 0, 'max': 1}) -%}
    {%- endfor -%}
    {%- do spec.extend([
        {'name': 'loudness_db', 'raw': 'loudness', 'type': 'number', 'min': -100, 'max': 20},
        {'name': 'tempo_bpm', 'raw': 'tempo', 'type': 'number', 'min': 0},
        {'name': 'duration_ms', 'raw': 'duration_ms', 'type': 'integer', 'min': 0},
    ]) -%}
    {%- if key_expr -%}
        {%- do spec.append({'name': 'key', 'raw': 'key', 'type': 'sql', 'expr': key_expr,
            'min': -1, 'max': 11}) -%}
    {%- else -%}
        {%- do spec.append({'name': 'key', 'raw': 'key', 'type': 'integer', 'min': -1, 'max': 11}) -%}
    {%- endif -%}
    {%- if mode_expr -%}
        {%- do spec.append({'name': 'mode', 'raw': 'mode', 'type': 'sql', 'expr': mode_expr,
            'min': 0, 'max': 1}) -%}
    {%- else -%}
        {%- do spec.append({'name': 'mode', 'raw': 'mode', 'type': 'integer', 'min': 0, 'max': 1}) -%}
    {%- endif -%}
    {%- if time_signature_expr -%}
        {%- do spec.append({'name': 'time_signature', 'raw': 'time_signature', 'type': 'sql',
            'expr': time_signature_expr, 'min': 0}) -%}
    {%- else -%}
        {%- do spec.append({'name': 'time_signature', 'raw': 'time_signature', 'type': 'integer',
            'min': 0}) -%}
    {%- endif -%}
    {{ return(spec) }}
{%- endmacro %}

{#- `C#` -> 1 … `B` -> 11 (sharps and flats). -#}
{% macro pitch_class_from_name(expr) -%}
    case
        {%- for names in [['C', 'B#'], ['C#', 'DB'], ['D'], ['D#', 'EB'], ['E', 'FB'], ['F', 'E#'],
            ['F#', 'GB'], ['G'], ['G#', 'AB'], ['A'], ['A#', 'BB'], ['B', 'CB']] %}
        when upper(trim({{ expr }})) in ({% for n in names %}'{{ n }}'{{ ", " if not loop.last }}{% endfor %})
            then {{ loop.index0 }}
        {%- endfor %}
    end
{%- endmacro %}

{#- `Major` -> 1, `Minor` -> 0 (also accepts 1/0). -#}
{% macro mode_from_name(expr) -%}
    case lower(trim({{ expr }}))
        when 'major' then 1
        when 'minor' then 0
        when '1' then 1
        when '0' then 0
    end
{%- endmacro %}

{#- `4/4` -> 4; also `4` and Excel's date-mangled spellings. Spotify's time signature is
    always n/4, which Excel reads as a date: day-first locales show `n-Apr`, US locales
    `4-<month n>` (`3/4` -> `4-Mar`). -#}
{% macro beats_per_bar_from_text(expr) -%}
    {%- set text = 'trim(' ~ expr ~ ')' -%}
    {%- set months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct',
        'nov', 'dec'] -%}
    case
        when regexp_extract({{ text }}, '^[0-9]+-([A-Za-z]{3})$', 1) <> ''
            then case lower(split_part({{ text }}, '-', 2))
                when 'apr' then {{ try_cast("split_part(" ~ text ~ ", '-', 1)", 'integer') }}
                {%- for m in months if m != 'apr' %}
                when '{{ m }}' then {{ loop.index if loop.index < 4 else loop.index + 1 }}
                {%- endfor %}
            end
        else coalesce(
            {{ try_integer(expr) }},
            {{ try_cast("nullif(regexp_extract(" ~ text ~ ", '^([0-9]+) */', 1), '')",
                'integer') }}
        )
    end
{%- endmacro %}
