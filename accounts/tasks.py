"""Background work for accounts: long roster imports (django-tasks)."""

from django_tasks import task

from core.tasks import USER_WAITING


@task(priority=USER_WAITING)
def run_roster_import(job_id: int) -> str:
    from accounts import services

    return services.roster_job_run(job_id=job_id).status
