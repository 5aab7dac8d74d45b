"""What the instance recorded and the rest of the story: audit data, statistics, reports,
backups, tags, upgrades, the other product lines, and the teardown."""

import time

from .instance import POLL, WAIT_LIMIT
from .runner import expect


class RecordsStory:
    """Stages of the story on what the instance recorded, and the teardown (a part of `Story`)."""

    def audit_data(self):
        i = {"instance_id": self.instance}
        query = {"time": dict(self.window), "page": 1, "size": 20, "time_order": "DESC"}
        first = self.call("ListAuditSqlsNew", i, query, merge=False)
        expect(first.total and first.total > 20 and len(first.sqls) == 20, f"SQL page of {first.total}")
        second = self.call("ListAuditSqlsNew", i, dict(query, page=2), merge=False)
        expect(not {s.sql.id for s in first.sqls} & {s.sql.id for s in second.sqls}, "pages overlap")
        sql_id = first.sqls[0].sql.id
        self.r.ids["sql-log"] = sql_id
        detail = self.call("ShowSqlDetail", {"instance_id": self.instance, "id": sql_id})
        expect(detail.sql.id == sql_id, "ShowSqlDetail")
        self.call("ListAuditSqls", i, {"time": {"time_range": "MONTH"}, "page": 1, "size": 10,
                                       "time_order": "ASC"}, merge=False)
        alarms = self.call("ListAuditAlarmLogNew", i, {"time": dict(self.window), "page": 1, "size": 10}, merge=False)
        expect(alarms.total_num and len(alarms.alarm_log) >= 3, f"alarms: {alarms.total_num}")
        ids = [a.id for a in alarms.alarm_log]
        self.r.ids["alarm"] = ids[0]
        self.call("ListAuditAlarmLog", i, {"time": {"time_range": "MONTH"}, "page": 2, "size": 5}, merge=False)
        self.call("SetAuditAlarmLogStatus", {"instance_id": self.instance, "id": ids[0]})
        self.call("BatchSetAuditAlarmLogStatus", i, {"ids": ids[1:3]}, merge=False)
        self.call("DeleteAuditAlarmLog", {"instance_id": self.instance, "id": ids[2]})
        after = self.call("ListAuditAlarmLogNew", i, {"time": dict(self.window), "page": 1, "size": 10},
                          merge=False)
        expect(after.total_num == alarms.total_num - 1, "the deleted alarm is gone")
        self.call("ListAuditOperateLogsNew", i, {"time": dict(self.window), "page": "1", "size": "10"}, merge=False)
        self.call("ListAuditOperateLogs", i, {"time": {"time_range": "WEEK"}, "page": "1", "size": "10"}, merge=False)

    def statistics(self):
        i = {"instance_id": self.instance}
        shop = self.databases["shop"]
        trend = {"db_id": shop, "regenerate": 0, "time": dict(self.window)}
        for operation in ("CountSqlStatistics", "CountRiskTrendStatistics", "CountOperationStatistics",
                          "CountSessionStatistics", "CountSqlTrendStatistics", "CountInjectionStatistics"):
            self.call(operation, i, trend, merge=False)
        sessions = {"db_id": [shop], "time": {"time_range": "WEEK"}}
        self.call("CountDbAccountSession", i, sessions, merge=False)
        self.call("CountDbClientSession", i, sessions, merge=False)

    def reports(self):
        i = {"instance_id": self.instance}
        templates = self.call("ListAuditReportTemplates", i).templates or []
        listed = [t.template.id for t in templates if t.template and t.template.id]
        template = listed[0] if listed else "b8a4f8c6-0000-4000-8000-00000000a001"
        self.call("CreateReport", i, {"db_ids": self.databases["shop"], "template_id": template,
                                      "start_time": self.window["start_time"], "end_time": self.window["end_time"],
                                      "start_date": None, "end_date": None})
        deadline = time.monotonic() + WAIT_LIMIT
        while True:
            listed = self.call("ListAuditReports", i, {"name": None, "page": 1, "size": 10}, merge=False)
            expect(listed.total == 1, f"{listed.total} reports")
            report = listed.reports[0].report
            if report.percentum == 100:
                break
            expect(time.monotonic() < deadline, f"report still at {report.percentum}%")
            time.sleep(POLL)
        self.r.ids["report"] = report.id
        pdf = self.call("DownloadAuditReport", {"instance_id": self.instance, "id": report.id, "local": "en-us"})
        expect(pdf.downloaded.startswith(b"%PDF"), "the report is not a PDF")
        self.call("UpdateAuditTopicReportSchedulerConfig", i, {"scheduler": {
            "db_ids": self.databases["shop"], "format": "pdf", "frequency": "WEEK", "id": template,
            "mode": "PERIOD", "notice": "OFF", "start_time": "2025-06-01 08:00:00", "status": "ACTIVE",
            "topic_urn": "urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dbss-reports"}})
        self.call("ShowAuditTopicReportSchedulerConfig", {"instance_id": self.instance, "id": template})
        self.call("DeleteAuditReport", {"instance_id": self.instance, "id": report.id})

    def backups(self):
        i = {"instance_id": self.instance}
        domain = {"domain_id": self.args.domain_id, "instance_id": self.instance}
        self.call("SetAuditBackupSwitch", domain, {"bucket_name": "dbss-backup", "bucket_root_path": "audit/",
                                                   "cycle": "PER_DAY", "mode": "AUTO", "status": 1,
                                                   "trigger_time": "2025-06-01 02:00:00"}, merge=False)
        self.call("ShowAuditBackupStatus", i)
        backups = self.call("ListAuditBackupInfo", i, {"start_time": self.window["start_time"],
                                                       "end_time": self.window["end_time"], "page": 1, "size": 10},
                            merge=False).data_list or []
        # Backups are not kept by the endpoint: a listed one if any, else a made-up id.
        backup = backups[0].id if backups and backups[0].id else "0b3d5f70-0000-4000-8000-00000000b001"
        self.r.ids["backup"] = backup
        self.call("RetryAuditBackupTask", {"instance_id": self.instance, "id": backup})
        self.call("RestoreAuditBackup", {"instance_id": self.instance, "id": backup})
        self.call("DeleteAuditBackupTask", {"instance_id": self.instance, "id": backup})
        self.call("UpdateAuditRiskBucketPath", domain, {"backup_domain_id": self.args.domain_id,
                                                        "bucket_name": "dbss-risk", "bucket_root_path": "risk/"},
                  merge=False)
        self.call("SetAuditBackupRiskSwitch", domain, {"cycle": "PER_DAY", "db_id": self.databases["shop"],
                                                       "status": 1}, merge=False)

    def tags(self):
        where = {"resource_type": "auditInstance", "resource_id": self.resource}
        self.call("BatchAddResourceTag", where, {"tags": [{"key": "team", "value": "dbss"},
                                                          {"key": "cost-center", "value": "cc-42"}]}, merge=False)
        tags = {t.key: t.value for t in self.call("ListAuditTags", where).tags}
        expect(tags == {"env": "ci", "team": "dbss", "cost-center": "cc-42"}, f"tags {tags}")
        project = self.call("ListProjectResourceTags", {"resource_type": "auditInstance"})
        expect("team" in {t.key for t in project.tags}, "project tags")
        wanted = {"tags": [{"key": "team", "values": ["dbss"]}]}
        found = self.call("ListResourceInstanceByTag", {"resource_type": "auditInstance", "offset": "0",
                                                        "limit": "10"}, wanted, merge=False)
        expect([r.resource_id for r in found.resources] == [self.resource], "instances tagged team=dbss")
        count = self.call("CountResourceInstanceByTag", {"resource_type": "auditInstance"},
                          {"tags": [{"key": "env", "values": ["ci"]}]}, merge=False)
        expect(count.total_count == 2, f"{count.total_count} instances tagged env=ci")
        self.call("BatchDeleteResourceTag", where, {"tags": [{"key": "cost-center", "value": "cc-42"}]}, merge=False)
        tags = {t.key for t in self.call("ListAuditTags", where).tags}
        expect(tags == {"env", "team"}, f"tags after delete {tags}")

    def upgrades(self):
        self.call("ShowAuditUpgradeStatus")
        self.call("ConfirmUpgradeAudit", {"resource_id": self.resource})

    def product_line(self, line):
        """Orders an encryption or O&M instance and takes it through its whole life."""
        prefix = "DbEncrypt" if line == "encrypt" else "DbOm"
        order_op = "CreateDbEncryptInstancePeriod" if line == "encrypt" else "CreateDbOmInstancePeriod"
        name = f"sdk-{line}"
        self.call(order_op, body={
            "name": name, "availability_zone": self.zone, "charging_mode": 0, "comment": f"{line} by the SDK",
            "enterprise_project_id": "0", "region_id": self.region, "tags": [{"key": "env", "value": "ci"}],
            "nics": [{"ip_address": "192.168.3.40" if line == "encrypt" else "192.168.3.41",
                      "subnet_id": "b3c5d7e9-0000-4000-8000-00000000c0de"}],
            "security_groups": [{"id": "sg-sdk-0000-4000-8000-000000000004"}],
            "vpc_id": "a2b4c6d8-0000-4000-8000-00000000c0de"})
        created = [c for c in self.clusters(line) if c.name == name]
        expect(len(created) == 1, f"{len(created)} {line} instances named {name}")
        cluster = created[0].instance_id
        self.r.ids[line] = cluster
        self.wait_cluster(line, cluster, "ACTIVE")
        where = {"instance_id": cluster}
        self.call(f"Update{prefix}InstanceName", where, {"new_name": f"{name}-prod"}, merge=False)
        self.call(f"Reset{prefix}Password", where, {"new_password": "Sdk-Passw0rd!", "user_name": "admin"},
                  merge=False)
        self.call(f"Change{prefix}SecurityGroup", where, {"security_group_ids": ["sg-sdk-0000-4000-8000-000000000005"]},
                  merge=False)
        self.call(f"Bind{prefix}Eip", where, {"eip": "100.85.10.20", "eip_id": "e1f2a3b4-0000-4000-8000-00000000e001"},
                  merge=False)
        bound = [c for c in self.clusters(line) if c.instance_id == cluster][0]
        expect((bound.name, bound.public_ip) == (f"{name}-prod", "100.85.10.20"), f"{line} after changes")
        self.call(f"Unbind{prefix}Eip", where)
        self.call(f"Stop{prefix}Instance", where)
        self.wait_cluster(line, cluster, "SHUTOFF")
        self.call(f"Start{prefix}Instance", where)
        self.wait_cluster(line, cluster, "ACTIVE")
        self.call(f"Reboot{prefix}Instance", where)
        self.wait_cluster(line, cluster, "ACTIVE")
        self.call(f"Delete{prefix}Instance", where)
        self.wait_cluster(line, cluster, None)

    def db_encrypt(self):
        self.product_line("encrypt")

    def db_om(self):
        self.product_line("om")

    def resource_manager(self):
        for kind in ("cloudservers", "dbEncrypt", "dbOm"):
            where = {"domain_id": self.args.domain_id, "region_id": self.region, "resource_type": kind}
            self.call("ListDomainAllResource", dict(where, limit=10, marker=None), merge=False)
            self.call("ShowDomainAllResourceCount", where, merge=False)

    def teardown(self):
        shop, ledger = self.databases["shop"], self.databases["ledger"]
        self.call("DeleteAuditAgentNew", {"instance_id": self.instance, "agent_id": self.agent, "db_id": shop})
        self.call("DeleteAuditDatabaseNew", {"instance_id": self.instance, "id": ledger})
        self.call("DeleteAuditDatabase", {"instance_id": self.instance, "db_id": self.databases["rds"]})
        left = self.call("ListAuditDatabasesNew", {"instance_id": self.instance, "status": None,
                                                   "offset": "0", "limit": "10"})
        expect(listed_ids(left) >= {shop} and ledger not in listed_ids(left), "databases after delete")
        self.call("DeleteInstances", body={"id": self.old_instance, "delete_publicip": True, "delete_volume": True})
        self.call("DeleteInstancesNew", body={"id": self.instance, "delete_publicip": True, "delete_volume": True})
        self.wait_instance(self.old_instance, None)
        self.wait_instance(self.instance, None)
        quota = self.call("ShowAuditQuotaNew")
        expect(quota.audit_quota == self.quota_before, "the quota is back")


def listed_ids(answer):
    return {d.database.id for d in answer.databases or []}
