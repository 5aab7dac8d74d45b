"""What the instance audits: databases, agents, rules of every kind, whitelists, settings."""

from .runner import expect


class AuditedStory:
    """Stages of the story on what the instance audits (a part of `Story`)."""

    def add_databases(self):
        i = {"instance_id": self.instance}
        shop = self.call("AddAuditDatabaseNew", i, {"database": {
            "db_classification": "ECS", "name": "shop", "type": "MYSQL", "version": "8.0", "charset": "UTF8",
            "ip": "192.168.1.31", "port": "3306", "os": "LINUX64", "instance_name": "shop-ecs"}}).id
        ledger = self.call("AddAuditDatabase", i, {"database": {
            "db_classification": "ECS", "name": "ledger", "type": "POSTGRESQL", "version": "14", "charset": "UTF8",
            "ip": "192.168.1.32", "port": "5432", "os": "LINUX64", "instance_name": "ledger-ecs"}}).id
        expect(shop and ledger and shop != ledger, "database ids")
        self.databases.update(shop=shop, ledger=ledger)
        self.r.ids["database"] = shop
        added = self.call("AddRdsDatabaseNew", i, {"databases": [
            {"id": "7f3e0a8b-rds1-4000-8000-0000000000a1", "type": "MYSQL"}]}, merge=False)
        expect([r.ret_status for r in added.ret_list] == ["SUCCESS"], "AddRdsDatabaseNew")
        self.call("AddRdsDatabase", i, {"databases": [
            {"id": "7f3e0a8b-rds2-4000-8000-0000000000a2", "type": "POSTGRESQL"}]}, merge=False)
        no_agent = self.call("AddRdsNoAgentDatabase", i, {"databases": [{
            "id": "7f3e0a8b-rds3-4000-8000-0000000000a3", "db_name": "reports", "status": "OFF", "port": "3306",
            "ip": "192.168.1.33", "instance_name": "reports-rds", "version": "8.0", "type": "MYSQL",
            "enterprise_id": "0", "enterprise_name": "default"}],
            "total_count": 1}, merge=False)
        expect(no_agent.legal_db_id == ["7f3e0a8b-rds3-4000-8000-0000000000a3"], "AddRdsNoAgentDatabase")
        listed = self.call("ListAuditDatabasesNew", {"instance_id": self.instance, "status": None,
                                                     "offset": "0", "limit": "10"})
        expect(listed.total == 5, f"{listed.total} databases, not 5")
        names = {d.database.name: d.database.id for d in listed.databases}
        self.databases.update(rds=names.get("reports"))
        self.call("SwitchAuditDatabaseNew", i, {"id": shop, "status": "ON", "lts_audit_switch": 0})
        self.call("SwitchAuditDatabase", i, {"id": ledger, "status": "ON"})
        on = self.call("ListAuditDatabases", {"instance_id": self.instance, "status": "ON",
                                              "offset": "0", "limit": "10"})
        expect({d.database.id for d in on.databases} == {shop, ledger}, "switched-on databases")

    def agents(self):
        i = {"instance_id": self.instance}
        shop, ledger = self.databases["shop"], self.databases["ledger"]
        self.call("AddAuditAgentNew", i, {"db_id": shop, "mode": 0, "agent_id": None, "agent_type": "DB",
                                          "agent_os": "LINUX64_X86", "agent_ip": "192.168.1.31",
                                          "agent_nic": "eth0", "cpu_threshold": 80, "mem_threshold": 80})
        agents = self.call("ListAuditAgentNew", {"instance_id": self.instance, "db_id": shop}).agents
        expect(len(agents) == 1, f"{len(agents)} agents on shop")
        self.agent = agents[0].agent_id
        self.r.ids["agent"] = self.agent
        # The same agent also captures the ledger database (mode 1 reuses an agent).
        self.call("AddAuditAgent", i, {"db_id": ledger, "mode": 1, "agent_id": self.agent, "agent_type": "DB",
                                       "agent_os": "LINUX64_X86", "agent_ip": "192.168.1.31", "agent_nic": "eth0",
                                       "cpu_threshold": 80, "mem_threshold": 80})
        shared = self.call("ListAuditAgent", {"instance_id": self.instance, "db_id": ledger,
                                              "offset": "0", "limit": "10"}).agents
        expect([a.agent_id for a in shared] == [self.agent], "the reused agent")
        self.call("SwitchAgentNew", i, {"agent_id": self.agent, "status": 0})
        self.call("SwitchAgent", i, {"agent_id": self.agent, "status": 1})
        self.call("CreateAuditDbAgent", {"instance_id": self.instance, "agent_id": self.agent},
                  {"cpu_threshold": 70, "mem_threshold": 75})
        agent = self.call("ListAuditAgentNew", {"instance_id": self.instance, "db_id": shop}).agents[0]
        expect((agent.status, agent.cpu_threshold, agent.mem_threshold) == (1, 70, 75), "agent settings")
        package = self.call("DownloadAuditAgentNew", {"instance_id": self.instance, "agent_id": self.agent})
        expect(package.downloaded[:2] == b"\x1f\x8b", "the agent package is not gzip")
        self.call("DeleteAuditAgent", {"instance_id": self.instance, "agent_id": self.agent, "db_id": ledger})

    def risk_rules(self):
        i = {"instance_id": self.instance}
        rule = {"action": "DROP_TABLE", "affect_rows": 0, "affect_symbol": "GREATER",
                "client_ips": "192.168.1.0/24", "db_ids": self.databases["shop"], "exception_ips": "",
                "execution_symbol": "GREATER", "execution_time": 0, "ignore_case": True, "risk_level": "HIGH",
                "schemas": [{"schema": "shop", "table": "orders", "column": ""}], "status": "ON"}
        self.call("CreateAuditRiskRule", i, dict(rule, rule_name="sdk-drop-orders"), merge=False)
        self.call("CreateAuditRiskRule", i, dict(rule, rule_name="sdk-slow-delete", action="DELETE",
                                                 risk_level="MEDIUM", execution_time=5), merge=False)
        listed = self.call("ListAuditRuleRisksNew", {"instance_id": self.instance, "name": "sdk-",
                                                     "risk_levels": None, "support_db_classify_rule": None,
                                                     "offset": "0", "limit": "100"})
        by_name = {r.name: r.id for r in listed.rules}
        expect({"sdk-drop-orders", "sdk-slow-delete"} <= set(by_name), f"risk rules {sorted(by_name)}")
        drop, slow = by_name["sdk-drop-orders"], by_name["sdk-slow-delete"]
        self.r.ids["rule-risk"] = drop
        self.call("ListAuditRuleRisks", {"instance_id": self.instance, "name": "sdk-drop", "risk_levels": "HIGH"})
        shown = self.call("ShowAuditRuleRiskNew", {"instance_id": self.instance, "id": drop})
        expect(shown.rule_name == "sdk-drop-orders" and shown.risk_level == "HIGH", "ShowAuditRuleRiskNew")
        self.call("ShowAuditRuleRisk", {"instance_id": self.instance, "risk_id": drop})
        self.call("SetRiskOperationPolicy", {"instance_id": self.instance, "id": drop},
                  dict(rule, rule_name="sdk-drop-orders", risk_level="MEDIUM"), merge=False)
        self.call("SwitchRiskRuleNew", i, {"ids": f"{drop},{slow}", "status": "OFF"}, merge=False)
        self.call("SwitchRiskRule", i, {"ids": drop, "status": "ON"}, merge=False)
        self.call("SetRiskRuleRank", i, {"id": drop, "new_rank": 1}, merge=False)
        shown = self.call("ShowAuditRuleRiskNew", {"instance_id": self.instance, "id": drop})
        expect((shown.risk_level, shown.status, shown.rank) == ("MEDIUM", "ON", 1), "risk rule after changes")
        self.call("DeleteAuditRuleRisk", {"instance_id": self.instance, "id": slow})

    def scope_rules(self):
        i = {"instance_id": self.instance}
        scope = {"action": "ALL", "db_ids": self.databases["shop"], "db_names": "shop", "db_users": "app",
                 "exception_ips": "", "source_ips": "192.168.1.0/24", "source_ports": "3306"}
        self.call("CreateAuditScopeRule", i, dict(scope, rule_name="sdk-shop-app"), merge=False)
        self.call("CreateAuditScopeRule", i, dict(scope, rule_name="sdk-shop-admin", db_users="admin"), merge=False)
        self.call("CreateAuditScopeRule", i, dict(scope, rule_name="sdk-shop-batch", db_users="batch"), merge=False)
        listed = self.call("ListAuditRuleScopesNew", {"instance_id": self.instance, "offset": "0", "limit": "100"})
        by_name = {s.name: s.id for s in listed.scopes}
        app, admin, batch = by_name["sdk-shop-app"], by_name["sdk-shop-admin"], by_name["sdk-shop-batch"]
        self.r.ids["rule-scope"] = app
        self.call("UpdateAuditScopeRule", {"instance_id": self.instance, "id": app},
                  dict(scope, rule_name="sdk-shop-app", db_users="app,report"), merge=False)
        self.call("SetAuditScopeRuleSwitch", i, {"ids": [admin, batch], "status": "OFF"}, merge=False)
        after = {s.id: s for s in self.call("ListAuditRuleScopesNew", {"instance_id": self.instance,
                                                                       "offset": "0", "limit": "100"}).scopes}
        expect(after[app].db_users == "app,report" and after[admin].status == "OFF", "scope rules after changes")
        self.call("DeleteAuditScope", {"instance_id": self.instance, "id": admin})
        self.call("BatchDeleteAuditScope", i, {"ids": [batch]}, merge=False)

    def sql_rules(self):
        i = {"instance_id": self.instance}
        self.call("CreateAuditSqlRule", i, {"risk_level": "HIGH", "rule_name": "sdk-union-select",
                                            "sql_regex": "(?i)union\\s+select", "status": "ON"}, merge=False)
        self.call("CreateAuditSqlRule", i, {"risk_level": "LOW", "rule_name": "sdk-sleep",
                                            "sql_regex": "(?i)sleep\\(\\d+\\)", "status": "ON"}, merge=False)
        listed = self.call("ListSqlInjectionRulesNew", i, {"page": 1, "size": 100, "risk_levels": None})
        by_name = {r.name: r.id for r in listed.rules}
        union, sleep = by_name["sdk-union-select"], by_name["sdk-sleep"]
        self.r.ids["rule-sql"] = union
        high = self.call("ListSqlInjectionRules", i, {"risk_levels": "HIGH"}, merge=False)
        expect(union in {r.id for r in high.rules}, "the HIGH rule is listed")
        self.call("UpdateAuditSqlRule", {"instance_id": self.instance, "id": union},
                  {"risk_level": "MEDIUM", "rule_name": "sdk-union-select",
                   "sql_regex": "(?i)union\\s+(all\\s+)?select", "status": "ON"}, merge=False)
        self.call("SetAuditSqlRuleSwitch", i, {"id": sleep, "status": "OFF"}, merge=False)
        self.call("SetSqlRuleRank", i, {"ids": [sleep, union]}, merge=False)
        ranked = self.call("ListSqlInjectionRulesNew", i, {"page": 1, "size": 2, "risk_levels": None}).rules
        expect([r.id for r in ranked] == [sleep, union], "SetSqlRuleRank puts the listed rules first")
        self.call("DeleteAuditRuleSql", {"instance_id": self.instance, "id": sleep})

    def masking(self):
        i = {"instance_id": self.instance}
        self.call("CreateSensitiveMaskRule", i, {"mask_regex": "\\d{16}", "mask_value": "****",
                                                 "rule_name": "sdk-card-number"}, merge=False)
        self.call("CreateSensitiveMaskRule", i, {"mask_regex": "[\\w.]+@[\\w.]+", "mask_value": "***@***",
                                                 "rule_name": "sdk-email"}, merge=False)
        rules = self.call("ListAuditSensitiveMasksNew", {"instance_id": self.instance,
                                                         "offset": "0", "limit": "100"}).rules
        by_name = {r.name: r.id for r in rules}
        card, email = by_name["sdk-card-number"], by_name["sdk-email"]
        self.r.ids["sensitive-mask"] = card
        self.call("UpdateSensitiveMaskRule", {"instance_id": self.instance, "id": card},
                  {"mask_regex": "\\d{13,19}", "mask_value": "####", "rule_name": "sdk-card-number"}, merge=False)
        self.call("SetSensitiveMaskRuleSwitch", i, {"ids": [email], "status": "OFF"}, merge=False)
        self.call("SetSensitiveSwitch", i, {"status": "ON"}, merge=False)
        expect(self.call("ShowSensitiveMaskSwitch", i).status == "ON", "the masking switch")
        self.call("SetSensitiveResultSwitch", i, {"status": "OFF"}, merge=False)
        expect(self.call("ShowSensitiveResultSwitch", i).status == "OFF", "the result switch")
        self.call("DeleteSensitiveRules", {"instance_id": self.instance, "id": email})

    def whitelists(self):
        i = {"instance_id": self.instance}
        shop = self.databases["shop"]
        self.call("BatchAddAuditWhitelist", i, {"whitelists": [
            {"sql": "SELECT 1", "desc": "health check", "enabled": True, "db_ids": [shop]},
            {"sql": "SHOW VARIABLES", "desc": "monitoring", "enabled": True, "db_ids": [shop]}]}, merge=False)
        listed = self.call("ListWhitelists", {"instance_id": self.instance, "offset": 0, "limit": 100})
        by_sql = {w.sql: w.id for w in listed.whitelists}
        health, monitoring = by_sql["SELECT 1"], by_sql["SHOW VARIABLES"]
        self.r.ids["whitelist"] = health
        self.call("UpdateAuditWhitelist", {"instance_id": self.instance, "id": health},
                  {"enabled": False, "desc": "health check (paused)", "db_ids": [shop]}, merge=False)
        self.call("DeleteAuditWhitelist", i, {"whitelists": [monitoring]}, merge=False)
        left = self.call("ListWhitelists", {"instance_id": self.instance, "offset": 0, "limit": 100}).whitelists
        expect([(w.id, w.enabled) for w in left] == [(health, False)], "whitelists after changes")

    def settings(self):
        i = {"instance_id": self.instance}
        topic = "urn:smn:cn-north-4:0123456789abcdef0123456789abcdef:dbss-alarms"
        self.call("SetAlarmTopicConfigInfoNew", i, {
            "alarm_cpu": 80, "alarm_disk": 85, "alarm_memory": 90, "alarm_num": 50, "alarm_risk": ["high", "medium"],
            "alarm_switch": "ON", "alarm_topic_urn": topic}, merge=False)
        shown = self.call("ListAlarmTopicConfigInfoNew", i)
        expect((shown.alarm_cpu, shown.alarm_topic_urn, shown.alarm_switch) == ("80", topic, "ON"), "alarm topic")
        self.call("SetAlarmTopicConfigInfo", i, {
            "alarm_cpu": 75, "alarm_disk": 85, "alarm_memory": 90, "alarm_num": 50, "alarm_risk": ["high"],
            "alarm_switch": "ON", "alarm_topic_urn": topic}, merge=False)
        expect(self.call("ListAlarmTopicConfigInfo", i).alarm_cpu == "75", "the legacy read of the alarm topic")
        self.call("UpdateLogRetentionCommonSettings", i, {"retention_days": 180}, merge=False)
        retention = self.call("ShowLogRetentionCommonSettings", i).log_retention
        expect(retention.retention_days == 180, f"retention {retention.retention_days}")
