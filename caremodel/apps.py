from django.apps import AppConfig


class CareModelConfig(AppConfig):
    name = "caremodel"
    verbose_name = "Care model"
