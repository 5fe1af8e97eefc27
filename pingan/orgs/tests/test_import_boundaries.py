"""Tests of manage.py import_boundaries.

The test database may or may not already hold the Dongcheng demo tree, so every test builds
its own small tree under the unused district code 990001 and compares counts, never totals.
"""

import copy
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pingan.core.models import AuditEvent
from pingan.orgs.geometry import rect_polygon, validate_geometry
from pingan.orgs.management.commands.import_boundaries import Command
from pingan.orgs.models import Division

DISTRICT, STREET, COMMUNITY, GRID = "990001", "990001001", "990001001001", "990001001001001"
OURS = [DISTRICT, STREET, COMMUNITY, GRID]
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[100.0, 30.0], [100.2, 30.2], [100.2, 30.0], [100.0, 30.2], [100.0, 30.0]]],
}


def feature(code, name, level, parent_code, geometry):
    properties = {"code": code, "name": name, "level": level}
    if parent_code is not None:
        properties["parent_code"] = parent_code
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def tree(levels=("district", "street", "community", "grid")):
    """A FeatureCollection of one division per level, nested rectangles around (100, 30)."""
    rows = [
        (DISTRICT, "测试区", None, (100.0, 30.0, 100.4, 30.4)),
        (STREET, "测试街道", DISTRICT, (100.0, 30.0, 100.2, 30.2)),
        (COMMUNITY, "测试社区", STREET, (100.0, 30.0, 100.1, 30.1)),
        (GRID, "测试网格", COMMUNITY, (100.0, 30.0, 100.05, 30.05)),
    ]
    features = [
        feature(code, name, level, parent, rect_polygon(rect))
        for (code, name, parent, rect), level in zip(rows, levels, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def write(tmp_path, data, name="boundaries.geojson"):
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def run(path, *args):
    out = StringIO()
    call_command("import_boundaries", str(path), *args, stdout=out)
    return out.getvalue()


def ours():
    return Division.objects.filter(code__in=OURS)


@pytest.mark.django_db
def test_import_creates_the_tree_with_parents_paths_and_centers(tmp_path):
    # given a file with a district, a street, a community and a grid
    data = tree()
    path = write(tmp_path, data)
    before = Division.objects.count()

    # when it is imported
    output = run(path)

    # then the four divisions exist, chained to their parents, with paths and centers
    assert "导入完成：新增 4，更新 0，未变 0。" in output
    assert Division.objects.count() == before + 4
    divisions = {division.code: division for division in ours().select_related("parent")}
    assert divisions[DISTRICT].parent is None
    assert divisions[STREET].parent.code == DISTRICT
    assert divisions[COMMUNITY].parent.code == STREET
    assert divisions[GRID].parent.code == COMMUNITY
    assert divisions[GRID].level == "grid"
    assert divisions[GRID].path == f"/{DISTRICT}/{STREET}/{COMMUNITY}/{GRID}/"
    for spec in data["features"]:
        division = divisions[spec["properties"]["code"]]
        assert division.name == spec["properties"]["name"]
        assert division.geometry == spec["geometry"]
        center = (division.center_lng, division.center_lat)
        assert center == validate_geometry(spec["geometry"])
        ring = spec["geometry"]["coordinates"][0]
        assert ring[0][0] < division.center_lng < ring[2][0]
        assert ring[0][1] < division.center_lat < ring[2][1]
    # and the import is in the audit trail
    assert AuditEvent.objects.filter(
        action="orgs.divisions_upsert", reason="import_boundaries: boundaries.geojson"
    ).exists()


@pytest.mark.django_db
def test_chinese_level_names_are_accepted(tmp_path):
    # given a file that names the levels in Chinese
    path = write(tmp_path, tree(levels=("区", "街道", "社区", "网格")))

    # when it is imported
    output = run(path)

    # then the levels are stored as their codes
    assert "新增 4" in output
    assert dict(ours().values_list("code", "level")) == {
        DISTRICT: "district",
        STREET: "street",
        COMMUNITY: "community",
        GRID: "grid",
    }


@pytest.mark.django_db
def test_second_identical_import_changes_nothing(tmp_path):
    # given a file that has already been imported
    path = write(tmp_path, tree())
    run(path)
    before = list(ours().values_list("code", "name", "updated_at"))

    # when the same file is imported again
    output = run(path)

    # then nothing is created or updated
    assert "导入完成：新增 0，更新 0，未变 4。" in output
    assert list(ours().values_list("code", "name", "updated_at")) == before


@pytest.mark.django_db
def test_changed_name_and_geometry_are_updated(tmp_path):
    # given an imported tree
    data = tree()
    run(write(tmp_path, data))
    old_grid = Division.objects.get(code=GRID)

    # when a file renames the street and redraws the grid
    changed = copy.deepcopy(data)
    changed["features"][1]["properties"]["name"] = "改名街道"
    new_grid = rect_polygon((100.05, 30.05, 100.1, 30.1))
    changed["features"][3]["geometry"] = new_grid
    output = run(write(tmp_path, changed, name="changed.geojson"))

    # then those two are updated, the rest untouched
    assert "导入完成：新增 0，更新 2，未变 2。" in output
    assert Division.objects.get(code=STREET).name == "改名街道"
    grid = Division.objects.get(code=GRID)
    assert grid.geometry == new_grid
    assert (grid.center_lng, grid.center_lat) == validate_geometry(new_grid)
    assert (grid.center_lng, grid.center_lat) != (old_grid.center_lng, old_grid.center_lat)
    assert grid.pk == old_grid.pk
    assert grid.path == old_grid.path


@pytest.mark.django_db
def test_invalid_geometry_fails_and_writes_nothing(tmp_path):
    # given a file whose grid is a self-intersecting bow-tie
    data = tree()
    data["features"][3]["geometry"] = BOW_TIE
    path = write(tmp_path, data)
    before = Division.objects.count()

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the error names the feature and the problem, and nothing is written
    message = str(caught.value)
    assert "导入失败，共 1 处错误，未写入任何数据。" in message
    assert f"第 4 个要素（{GRID}）" in message
    assert "边界不是有效多边形" in message
    assert Division.objects.count() == before
    assert not ours().exists()


@pytest.mark.django_db
def test_unknown_parent_fails_and_writes_nothing(tmp_path):
    # given a file whose community names a street that does not exist
    data = tree()
    data["features"][2]["properties"]["parent_code"] = "990001999"
    path = write(tmp_path, data)
    before = Division.objects.count()

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the error names the feature and the missing parent, and nothing is written
    message = str(caught.value)
    assert f"第 3 个要素（{COMMUNITY}）" in message
    assert "990001999" in message
    assert Division.objects.count() == before


@pytest.mark.django_db
def test_duplicate_codes_fail(tmp_path):
    # given a file that lists the grid twice
    data = tree()
    data["features"].append(copy.deepcopy(data["features"][3]))
    path = write(tmp_path, data)
    before = Division.objects.count()

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the duplicate is reported and nothing is written
    assert f"代码 {GRID} 重复出现" in str(caught.value)
    assert Division.objects.count() == before


@pytest.mark.django_db
def test_every_error_is_listed_one_per_line(tmp_path):
    # given a file with two bad features
    data = tree()
    data["features"][2]["properties"]["parent_code"] = "990001999"
    data["features"][3]["geometry"] = BOW_TIE
    path = write(tmp_path, data)

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the summary comes first and each error has its own line
    lines = str(caught.value).splitlines()
    assert lines[0] == "导入失败，共 2 处错误，未写入任何数据。"
    assert len(lines) == 3
    assert any("第 3 个要素" in line for line in lines[1:])
    assert any("第 4 个要素" in line for line in lines[1:])


@pytest.mark.django_db
def test_malformed_json_fails_with_line_and_column(tmp_path):
    # given a file with a missing comma on its second line
    path = write(tmp_path, '{"type": "FeatureCollection",\n "features": [] "x": 1}')

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the message says where the JSON breaks
    message = str(caught.value)
    assert "不是有效的 JSON" in message
    assert "第 2 行第 17 列" in message


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"type": "Feature", "properties": {}, "geometry": None},
        [{"type": "Feature"}],
        {"features": []},
    ],
    ids=["a-feature", "a-list", "no-type"],
)
def test_not_a_feature_collection_fails(tmp_path, data):
    # given a JSON file that is not a FeatureCollection
    path = write(tmp_path, data)

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the message says so
    assert "不是 GeoJSON FeatureCollection" in str(caught.value)


@pytest.mark.django_db
def test_missing_file_fails(tmp_path):
    # given a path where no file is
    path = tmp_path / "missing.geojson"

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then the message says the file does not exist
    assert "missing.geojson 不存在" in str(caught.value)


@pytest.mark.django_db
def test_bad_features_are_reported_together(tmp_path):
    # given a file with a non-object feature, one without properties, one without geometry
    # and one whose code is a number
    data = tree()
    data["features"][0]["properties"]["code"] = 990001
    data["features"][1]["geometry"] = None
    del data["features"][2]["properties"]
    data["features"].append("990001001001002")
    path = write(tmp_path, data)
    before = Division.objects.count()

    # when it is imported
    with pytest.raises(CommandError) as caught:
        run(path)

    # then each problem is on its own line and nothing is written
    lines = str(caught.value).splitlines()
    assert lines[0] == "导入失败，共 4 处错误，未写入任何数据。"
    assert "第 1 个要素：代码必须是字符串" in lines[1]
    assert '"990001"' in lines[1]
    assert f"第 2 个要素（{STREET}）：缺少 geometry" in lines[2]
    assert "第 3 个要素：缺少 properties" in lines[3]
    assert "第 5 个要素：不是 JSON 对象" in lines[4]
    assert Division.objects.count() == before


@pytest.mark.django_db
def test_dry_run_reports_counts_and_writes_nothing(tmp_path):
    # given a valid file
    path = write(tmp_path, tree())
    divisions_before = Division.objects.count()
    audits_before = AuditEvent.objects.count()

    # when it is imported with --dry-run
    output = run(path, "--dry-run")

    # then the counts are reported but no division or audit row is written
    assert "新增 4，更新 0，未变 0" in output
    assert "未写入" in output
    assert Division.objects.count() == divisions_before
    assert AuditEvent.objects.count() == audits_before


@pytest.mark.django_db
def test_dry_run_still_reports_errors(tmp_path):
    # given a file with a bow-tie grid
    data = tree()
    data["features"][3]["geometry"] = BOW_TIE
    path = write(tmp_path, data)

    # when it is imported with --dry-run
    with pytest.raises(CommandError) as caught:
        run(path, "--dry-run")

    # then the same error is reported
    assert "第 4 个要素" in str(caught.value)


@pytest.mark.django_db
def test_valid_features_in_a_failing_file_are_not_written(tmp_path):
    # given a file whose first three features are valid and whose fourth is not
    data = tree()
    data["features"][3]["geometry"] = BOW_TIE
    path = write(tmp_path, data)
    divisions_before = Division.objects.count()
    audits_before = AuditEvent.objects.count()

    # when it is imported
    with pytest.raises(CommandError):
        run(path)

    # then not even the valid district, street and community are written
    assert Division.objects.count() == divisions_before
    assert not ours().exists()
    assert AuditEvent.objects.count() == audits_before


def test_command_line_error_exits_non_zero_without_traceback(tmp_path, capsys):
    # given a malformed file (checked before the database is touched)
    path = write(tmp_path, "{not json")

    # when the command runs as it would from manage.py
    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(["manage.py", "import_boundaries", str(path), "--skip-checks"])

    # then it exits 1 and prints the Chinese message, no traceback
    assert caught.value.code == 1
    stderr = capsys.readouterr().err
    assert "CommandError: 导入失败" in stderr
    assert "不是有效的 JSON：第 1 行第 2 列" in stderr
    assert "Traceback" not in stderr
