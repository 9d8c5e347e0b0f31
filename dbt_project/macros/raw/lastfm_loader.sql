{#- Last.fm scrobble exports of one or more users, in whatever layout each file has:
      * CSV with a header naming an artist, a track and a time column (the Last.fm export
        `uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid` is one such);
      * header-less `artist,album,track,date` (lastfm-to-csv);
      * the Last.fm-1K TSV `userid, timestamp, artist_mbid, artist_name, track_mbid,
        track_name` (no header);
      * user.getRecentTracks JSON pages.
    All are mapped to one text layout; staging parses and checks the values. The user is
    taken from the data where the file has it, else from the file name. -#}

{% macro lastfm_header_aliases() -%}
    {{ return({
        'user_name': ['user', 'username', 'user_name', 'userid', 'user_id'],
        'artist_name': ['artist', 'artist_name', 'artistname', 'artist name',
            'master_metadata_album_artist_name'],
        'artist_mbid': ['artist_mbid', 'artist mbid', 'artistmbid'],
        'album_name': ['album', 'album_name', 'albumname', 'album name', 'release',
            'master_metadata_album_album_name'],
        'album_mbid': ['album_mbid', 'album mbid', 'albummbid', 'release_mbid'],
        'track_name': ['track', 'track_name', 'trackname', 'track name', 'title', 'song',
            'song_name', 'name', 'master_metadata_track_name'],
        'track_mbid': ['track_mbid', 'track mbid', 'trackmbid', 'recording_mbid', 'mbid'],
        'played_at_epoch': ['uts', 'unix_timestamp', 'timestamp_unix', 'epoch'],
        'played_at_text': ['utc_time', 'timestamp', 'date', 'time', 'datetime', 'date_time',
            'played_at', 'scrobble_time', 'scrobbled_at', 'listened_at', 'ts', 'endtime'],
    }) }}
{%- endmacro %}

{% macro lastfm_columns() -%}
    {{ return(['user_name', 'artist_name', 'artist_mbid', 'album_name', 'album_mbid',
        'track_name', 'track_mbid', 'played_at_epoch', 'played_at_text']) }}
{%- endmacro %}

{#- Map a header to our columns: {our column: header column or none}. -#}
{% macro lastfm_header_mapping(header_columns) -%}
    {%- set mapping = {} -%}
    {%- for ours, aliases in lastfm_header_aliases().items() -%}
        {%- set found = [] -%}
        {%- for a in aliases if a in header_columns and not found -%}
            {% do found.append(a) %}
        {%- endfor -%}
        {% do mapping.update({ours: found[0] if found else none}) %}
    {%- endfor -%}
    {{ return(mapping) }}
{%- endmacro %}

{#- The user name a file name implies: `alice_scrobbles.csv` -> alice,
    `bob_recenttracks_page2.json` -> bob; a later export of the same user keeps the user:
    `alice_scrobbles_2024-11-22.csv`, `alice_scrobbles (1).csv` -> alice. -#}
{% macro lastfm_user_from_filename(path_expr) -%}
    regexp_replace(
        regexp_replace(
            regexp_extract({{ path_expr }}, '[^/\\\\]+$'),
            '\.(csv|tsv|txt|json)(\.gz)?$', '', 'i'
        ),
        '([_. -](scrobbles?|listens?|history|recent_?tracks|lastfm|export|page_?[0-9]+'
        || '|[0-9]{4}-?[0-9]{2}(-?[0-9]{2})?|\([0-9]+\)|copy))+$',
        '',
        'i'
    )
{%- endmacro %}

{% macro lastfm_raw_select(files) -%}
    {%- set iso_z = '^[0-9]{4}-[0-9]{2}-[0-9]{2}t[0-9:]{8}z?$' -%}
    {%- set text_date = '^[0-9]{1,2} [a-z]{3} [0-9]{4},? [0-9]{1,2}:[0-9]{2}$' -%}
    {%- set headered = [] -%}
    {%- set tsv_1k = [] -%}
    {%- set plain_4 = [] -%}
    {%- set json_files = files_matching(files, '\.json$') -%}
    {%- for f in files if f not in json_files -%}
        {%- set header = csv_header(f) -%}
        {%- set mapping = lastfm_header_mapping(header.columns) -%}
        {%- if mapping.artist_name and mapping.track_name
            and (mapping.played_at_epoch or mapping.played_at_text) -%}
            {% do headered.append({'file': f, 'mapping': mapping, 'delimiter': header.delimiter}) %}
        {%- elif header.columns | length == 6 and header.delimiter == '\t'
            and modules.re.match(iso_z, header.columns[1]) -%}
            {% do tsv_1k.append(f) %}
        {%- elif header.columns | length == 4 and modules.re.match(text_date, header.columns[3]) -%}
            {% do plain_4.append(f) %}
        {%- else -%}
            {{ lastfm_unknown_layout_error(f, header) }}
        {%- endif -%}
    {%- endfor -%}
    with {{ file_times_cte(files) }},
    parts as (
        select
            {%- for c in lastfm_columns() %}
            cast(null as varchar) as {{ c }},
            {%- endfor %}
            cast(null as varchar) as source_format,
            cast(null as varchar) as source_file
        where 1 = 0
        {%- for h in headered %}
        union all by name
        select
            {%- for c in lastfm_columns() %}
            {%- if h.mapping[c] %}
            "{{ h.mapping[c] }}" as {{ c }},
            {%- elif c == 'user_name' %}
            {{ lastfm_user_from_filename('filename') }} as user_name,
            {%- endif %}
            {%- endfor %}
            'csv_with_header' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string(h.file) }},
            header = true,
            all_varchar = true,
            null_padding = true,
            filename = true
        )
        {%- endfor %}
        {%- if tsv_1k %}
        union all by name
        select
            user_name,
            artist_name,
            artist_mbid,
            track_name,
            track_mbid,
            played_at_text,
            'lastfm_1k_tsv' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string_list(tsv_1k) }},
            header = false,
            auto_detect = false,
            delim = '\t',
            quote = '',
            escape = '',
            null_padding = true,
            filename = true,
            columns = {
                'user_name': 'varchar', 'played_at_text': 'varchar', 'artist_mbid': 'varchar',
                'artist_name': 'varchar', 'track_mbid': 'varchar', 'track_name': 'varchar'
            }
        )
        {%- endif %}
        {%- if plain_4 %}
        union all by name
        select
            {{ lastfm_user_from_filename('filename') }} as user_name,
            artist_name,
            album_name,
            track_name,
            played_at_text,
            'artist_album_track_date' as source_format,
            filename as source_file
        from read_csv(
            {{ sql_string_list(plain_4) }},
            header = false,
            auto_detect = false,
            delim = ',',
            quote = '"',
            escape = '"',
            null_padding = true,
            filename = true,
            columns = {
                'artist_name': 'varchar', 'album_name': 'varchar',
                'track_name': 'varchar', 'played_at_text': 'varchar'
            }
        )
        {%- endif %}
        {%- if json_files %}
        {%- set text_struct = 'struct(mbid varchar, "#text" varchar, name varchar)' %}
        {%- set recent_struct = 'struct(track struct(artist ' ~ text_struct ~ ', album '
            ~ text_struct ~ ', name varchar, mbid varchar, '
            ~ 'date struct(uts varchar, "#text" varchar), '
            ~ '"@attr" struct(nowplaying varchar))[], "@attr" struct("user" varchar, page varchar))' %}
        union all by name
        select
            coalesce(user_name, {{ lastfm_user_from_filename('filename') }}) as user_name,
            coalesce(t.artist."#text", t.artist.name) as artist_name,
            t.artist.mbid as artist_mbid,
            coalesce(t.album."#text", t.album.name) as album_name,
            t.album.mbid as album_mbid,
            t.name as track_name,
            t.mbid as track_mbid,
            t.date.uts as played_at_epoch,
            coalesce(
                t.date."#text",
                case when t."@attr".nowplaying = 'true' then 'now playing' end
            ) as played_at_text,
            'recenttracks_json' as source_format,
            filename as source_file
        from (
            select
                filename,
                recenttracks."@attr"."user" as user_name,
                unnest(recenttracks.track) as t
            from read_json(
                {{ sql_string_list(json_files) }},
                format = 'auto',
                filename = true,
                maximum_object_size = {{ max_file_size(json_files) + 1048576 }},
                columns = {recenttracks: '{{ recent_struct }}'}
            )
        )
        {%- endif %}
    )
    select
        {%- for c in lastfm_columns() %}
        parts.{{ c }},
        {%- endfor %}
        parts.source_format,
        parts.source_file,
        file_times.file_modified_at
    from parts
    inner join file_times on parts.source_file = file_times.source_file
{%- endmacro %}

{#- The one-line error for a Last.fm file in none of the layouts we know (both engines). -#}
{% macro lastfm_unknown_layout_error(f, header) -%}
    {{ raw_file_error(f, 'not a Last.fm export layout we know (first line: '
        ~ header.columns | join(', ') ~ '); expected a header naming an artist, '
        ~ 'a track and a time column, header-less artist,album,track,date, '
        ~ 'or the Last.fm-1K TSV') }}
{%- endmacro %}
