from rest_framework import serializers

from pingan.orgs.models import Division, FunctionArea, Staff, Unit


class DivisionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "level_display", "parent", "center_lng", "center_lat"]


class DivisionDetailSerializer(DivisionSerializer):
    geometry = serializers.JSONField(read_only=True, help_text="GeoJSON Polygon or MultiPolygon")

    class Meta(DivisionSerializer.Meta):
        fields = [*DivisionSerializer.Meta.fields, "geometry"]


class FunctionAreaSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = FunctionArea
        fields = ["kind", "kind_display", "name"]


class UnitSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", read_only=True)
    serves = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    function_areas = FunctionAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "kind_display",
            "agency_type",
            "division",
            "parent",
            "serves",
            "stationing",
            "function_areas",
            "is_active",
        ]


class MeSerializer(serializers.ModelSerializer):
    unit = UnitSerializer(read_only=True)
    roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    scope = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Staff
        fields = ["id", "username", "name", "title", "unit", "roles", "scope"]
