from django.apps import AppConfig


class StratificationConfig(AppConfig):
    name = "stratification"
