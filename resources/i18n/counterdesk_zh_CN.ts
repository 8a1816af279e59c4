<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddUserDialog</name>
    <message>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Display name</source>
        <translation>姓名(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>角色(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Temporary password</source>
        <translation>临时密码(&amp;T)</translation>
    </message>
    <message>
        <source>C&amp;onfirm password</source>
        <translation>确认密码(&amp;O)</translation>
    </message>
    <message>
        <source>The new user must replace the temporary password at first sign-in.</source>
        <translation>新用户首次登录时必须更换临时密码。</translation>
    </message>
    <message>
        <source>Create user</source>
        <translation>创建用户</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The two passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>User {name} created. They must choose their own password at first sign-in.</source>
        <translation>已创建用户 {name}。该用户首次登录时须设置自己的密码。</translation>
    </message>
</context>
<context>
    <name>AfterSalePage</name>
    <message>
        <source>Cooling-off and follow-ups</source>
        <translation>冷静期与回访</translation>
    </message>
    <message>
        <source>During the cooling-off period the customer may cancel a sale for a full refund. Once the period is over, a member of staff who did not sell the product visits or calls the customer and records the outcome.</source>
        <translation>投资冷静期内，客户可解除合同并获全额退款。冷静期结束后，由未销售该产品的员工上门或电话回访客户并记录结果。</translation>
    </message>
    <message>
        <source>Document number</source>
        <translation>文件编号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Cooling-off until</source>
        <translation>冷静期截止</translation>
    </message>
    <message>
        <source>Seller</source>
        <translation>销售人员</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <source>Refund &amp;reference</source>
        <translation>退款编号(&amp;R)</translation>
    </message>
    <message>
        <source>Transaction reference of the full refund</source>
        <translation>全额退款的交易编号</translation>
    </message>
    <message>
        <source>The customer asked to cancel within the cooling-off period</source>
        <translation>客户在冷静期内要求解除合同</translation>
    </message>
    <message>
        <source>Record &amp;cancellation with full refund</source>
        <translation>登记解除并全额退款(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Outcome of the visit</source>
        <translation>回访结果(&amp;O)</translation>
    </message>
    <message>
        <source>What the customer said; whether they understand the risks</source>
        <translation>客户的反馈；是否了解产品风险</translation>
    </message>
    <message>
        <source>Record the &amp;follow-up visit</source>
        <translation>登记回访(&amp;F)</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新（F5）</translation>
    </message>
    <message>
        <source>In cooling-off ({count})</source>
        <translation>冷静期中（{count}）</translation>
    </message>
    <message>
        <source>Follow-up visits ({count})</source>
        <translation>待回访（{count}）</translation>
    </message>
    <message>
        <source>{due} (overdue)</source>
        <translation>{due}（已逾期）</translation>
    </message>
    <message>
        <source>No sale is in its cooling-off period.</source>
        <translation>目前没有处于冷静期的销售。</translation>
    </message>
    <message>
        <source>Select a sale.</source>
        <translation>请选择一笔销售。</translation>
    </message>
    <message>
        <source>Sale {document} ({product}, amount {amount}) was signed on {signed}. Until {until} the customer may cancel it for a full refund: make the refund first, then record it here with its reference.</source>
        <translation>销售 {document}（{product}，金额 {amount}）签署于 {signed}。{until} 之前客户可解除合同并获全额退款：请先办理退款，再在此登记退款编号。</translation>
    </message>
    <message>
        <source>No follow-up visit is due.</source>
        <translation>目前没有待办的回访。</translation>
    </message>
    <message>
        <source>Select a follow-up task.</source>
        <translation>请选择一项回访任务。</translation>
    </message>
    <message>
        <source>You sold this product ({document}): the follow-up visit must be made by a colleague who did not sell it.</source>
        <translation>该产品（{document}）由您销售：回访须由未参与销售的同事完成。</translation>
    </message>
    <message>
        <source>Sale {document} ({product}) sold by {seller}: contact the customer, check that they understand the product and its risks, and record the outcome. Due by {due}.</source>
        <translation>销售 {document}（{product}），销售人员 {seller}：请联系客户，确认其了解产品及风险，并登记回访结果。截止 {due}。</translation>
    </message>
    <message>
        <source>Tick the box to confirm that the customer asked to cancel within the cooling-off period.</source>
        <translation>请勾选，确认客户在冷静期内要求解除合同。</translation>
    </message>
    <message>
        <source>Cancellation of {document} recorded with refund {reference}.</source>
        <translation>已登记 {document} 的解除，退款编号 {reference}。</translation>
    </message>
    <message>
        <source>Follow-up visit for {document} recorded.</source>
        <translation>已登记 {document} 的回访。</translation>
    </message>
    <message>
        <source>Call res&amp;ult</source>
        <translation>回访结果(&amp;U)</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
    <message>
        <source>Call recordin&amp;g reference</source>
        <translation>回访录音编号(&amp;G)</translation>
    </message>
    <message>
        <source>Reference of the recorded call, e.g. CALL-2026-000123</source>
        <translation>回访录音的编号，例如 CALL-2026-000123</translation>
    </message>
</context>
<context>
    <name>ApprovalStep</name>
    <message>
        <source>Supervisor &amp;approves at this workstation…</source>
        <translation>主管在本机审批(&amp;A)…</translation>
    </message>
    <message>
        <source>Submit a&amp;gain</source>
        <translation>重新提交(&amp;G)</translation>
    </message>
    <message>
        <source>Sending the request…</source>
        <translation>正在提交审批请求…</translation>
    </message>
    <message>
        <source>Waiting for a supervisor&apos;s approval.</source>
        <translation>等待主管审批。</translation>
    </message>
    <message>
        <source>The request expired without a decision: submit it again.</source>
        <translation>审批请求已过期未处理，请重新提交。</translation>
    </message>
    <message>
        <source>Approved by {name}.</source>
        <translation>{name} 已批准。</translation>
    </message>
    <message>
        <source>Rejected by {name}: {reason}</source>
        <translation>{name} 已驳回：{reason}</translation>
    </message>
    <message>
        <source>Reasons:
{reasons}
Requested {at}, expires {until}.</source>
        <translation>审批原因：
{reasons}
提交于 {at}，{until} 过期。</translation>
    </message>
    <message>
        <source>Stand-alone workstation: a supervisor approves here.</source>
        <translation>单机工作站：由主管在本机审批。</translation>
    </message>
    <message>
        <source>The request has reached the hub: supervisors on the other workstations of the branch see it.</source>
        <translation>审批请求已上送中心：本网点其他工作站的主管可以看到。</translation>
    </message>
    <message>
        <source>The request has not reached the hub yet (it goes as soon as the hub can be reached); a supervisor can approve here.</source>
        <translation>审批请求尚未上送中心（连接中心后即自动上送）；主管可在本机审批。</translation>
    </message>
</context>
<context>
    <name>ApprovalsPage</name>
    <message>
        <source>Screening reviews</source>
        <translation>名单筛查复核</translation>
    </message>
    <message>
        <source>Potential sanctions hits wait here for a supervisor who did not run the screening. Review the evidence, then clear the hit as a false positive with the reason that the evidence shows, or confirm the match (the session stops and the escalation is recorded). Sales waiting for approval are on the Sign-off approvals page.</source>
        <translation>疑似制裁名单命中在此等待未执行该筛查的主管复核。请核查证据后，按证据所示选择理由排除误报，或确认命中（业务终止并记录上报）。等待审批的销售在“签署审批”页面处理。</translation>
    </message>
    <message>
        <source>Screened at</source>
        <translation>筛查时间</translation>
    </message>
    <message>
        <source>Teller</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>Best score</source>
        <translation>最高分</translation>
    </message>
    <message>
        <source>Hits</source>
        <translation>命中数</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>理由(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>说明(&amp;N)</translation>
    </message>
    <message>
        <source>Clear as &amp;false positive</source>
        <translation>排除为误报(&amp;F)</translation>
    </message>
    <message>
        <source>Confirm &amp;match</source>
        <translation>确认命中(&amp;M)</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新（F5）</translation>
    </message>
    <message>
        <source>— choose the reason the evidence shows —</source>
        <translation>— 请按证据选择理由 —</translation>
    </message>
    <message>
        <source>Nothing is waiting for a decision.</source>
        <translation>没有待处理的事项。</translation>
    </message>
    <message>
        <source>Matcher {version}, threshold {threshold}, lists {lists}</source>
        <translation>匹配器 {version}，阈值 {threshold}，名单 {lists}</translation>
    </message>
    <message>
        <source>You ran this screening: another supervisor must decide it.</source>
        <translation>此筛查由您执行，须由另一位主管处理。</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>部分</translation>
    </message>
    <message>
        <source>List&apos;s word</source>
        <translation>名单中的词</translation>
    </message>
    <message>
        <source>Subject&apos;s word</source>
        <translation>客户姓名中的词</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>word {n}</source>
        <translation>第 {n} 个字词</translation>
    </message>
    <message>
        <source>not in the subject&apos;s name</source>
        <translation>客户姓名中无对应</translation>
    </message>
    <message>
        <source>Feature</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>Contribution</source>
        <translation>贡献</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>综合得分</translation>
    </message>
    <message>
        <source>Decision recorded.</source>
        <translation>处理结果已记录。</translation>
    </message>
    <message>
        <source>Match confirmed; the teller&apos;s session will stop.</source>
        <translation>已确认命中，柜员的业务将终止。</translation>
    </message>
</context>
<context>
    <name>AssessmentStep</name>
    <message>
        <source>&amp;Use the current assessment</source>
        <translation>使用现有测评结果(&amp;U)</translation>
    </message>
    <message>
        <source>Start the &amp;questionnaire on the customer screen</source>
        <translation>在客户屏上开始问卷(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Print a blank paper questionnaire…</source>
        <translation>打印空白纸质问卷(&amp;P)…</translation>
    </message>
    <message>
        <source>Form number of a completed paper questionnaire (RQ-…)</source>
        <translation>已填写纸质问卷的表单编号（RQ-…）</translation>
    </message>
    <message>
        <source>&amp;Key in the paper form</source>
        <translation>录入纸质问卷(&amp;K)</translation>
    </message>
    <message>
        <source>The customer has no valid risk assessment. The customer answers the questionnaire personally on the customer screen.</source>
        <translation>客户没有有效的风险测评结果。请客户在客户屏上亲自作答问卷。</translation>
    </message>
    <message>
        <source>Valid assessment on file: {grade} {name}, valid until {until}. Use it, or start a new assessment if the customer&apos;s situation changed.</source>
        <translation>已有有效测评：{grade} {name}，有效期至 {until}。可直接使用；如客户情况有变，请重新测评。</translation>
    </message>
    <message>
        <source>The customer is answering on the customer screen.</source>
        <translation>客户正在客户屏上作答。</translation>
    </message>
    <message>
        <source>Hand the screen to the customer: they answer on the full-screen window.</source>
        <translation>请将屏幕交给客户，由客户在全屏窗口中作答。</translation>
    </message>
    <message>
        <source>Key in the answers exactly as the customer marked them on the paper form.</source>
        <translation>请严格按客户在纸质问卷上勾选的答案录入。</translation>
    </message>
    <message>
        <source>Answered {done} of {total}</source>
        <translation>已答 {done} 题，共 {total} 题</translation>
    </message>
    <message>
        <source>Result shown to the customer: {grade} {name}. Waiting for the customer&apos;s confirmation.</source>
        <translation>已向客户展示结果：{grade} {name}。等待客户确认。</translation>
    </message>
</context>
<context>
    <name>AuditPage</name>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Every change is recorded here and linked to the entry before it, so later edits can be detected. Newest first; the latest {count} entries are shown.</source>
        <translation>每一项操作都记录在此，并与前一条记录哈希相连，事后任何修改都能被发现。最新的在前；显示最近 {count} 条。</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>序号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Workstation</source>
        <translation>工作站</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Object</source>
        <translation>对象</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Verifying…</source>
        <translation>正在校验…</translation>
    </message>
    <message>
        <source>Verify records</source>
        <translation>校验记录</translation>
    </message>
    <message>
        <source>Check the database file, the audit chain, the records, the sale evidence, the anchors at the hub and the key slots (Ctrl+Shift+V)</source>
        <translation>检查数据库文件、审计链、记录台账、销售证据、中心锚定与密钥槽（Ctrl+Shift+V）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Reload the log (F5)</source>
        <translation>重新加载日志（F5）</translation>
    </message>
    <message>
        <source>Verification passed: all {count} checks are ok</source>
        <translation>校验通过：全部 {count} 项检查正常</translation>
    </message>
    <message>
        <source>VERIFICATION FAILED: {failed} of {count} checks found problems</source>
        <translation>校验失败：{count} 项检查中有 {failed} 项发现问题</translation>
    </message>
    <message>
        <source>Whole branch (the other workstations&apos; entries too)</source>
        <translation>整个网点（含其他工作站的记录）</translation>
    </message>
    <message>
        <source>No entries of other workstations have arrived yet.</source>
        <translation>尚未收到其他工作站的审计记录。</translation>
    </message>
    <message>
        <source>✗ {name}: its chain breaks at entry #{seq} ({reason})</source>
        <translation>✗ {name}：其哈希链在第 #{seq} 条处断开（{reason}）</translation>
    </message>
    <message>
        <source>✓ {name}: entries #{first}–#{last} verify ({count} here)</source>
        <translation>✓ {name}：第 #{first}–#{last} 条校验通过（本机有 {count} 条）</translation>
    </message>
    <message>
        <source>{n} not arrived yet</source>
        <translation>{n} 条尚未到达</translation>
    </message>
    <message>
        <source>continues the chain it had before it was enrolled again</source>
        <translation>接续其重新注册前的哈希链</translation>
    </message>
    <message>
        <source>earlier entries not arrived yet</source>
        <translation>更早的记录尚未到达</translation>
    </message>
    <message>
        <source>Another workstation&apos;s entry (workstation id {id})</source>
        <translation>其他工作站的记录（工作站编号 {id}）</translation>
    </message>
</context>
<context>
    <name>CancelSessionDialog</name>
    <message>
        <source>Cancel the counter session?</source>
        <translation>取消本次柜面业务？</translation>
    </message>
    <message>
        <source>The session ends and cannot be resumed; what has been recorded so far stays stored. Choose why the session is cancelled.</source>
        <translation>业务将终止且不能继续办理，已记录的内容会保留。请选择取消原因。</translation>
    </message>
    <message>
        <source>— choose a reason —</source>
        <translation>— 请选择原因 —</translation>
    </message>
    <message>
        <source>&amp;Keep the session</source>
        <translation>继续办理(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Cancel the session</source>
        <translation>确认取消业务(&amp;C)</translation>
    </message>
</context>
<context>
    <name>CatalogPage</name>
    <message>
        <source>Product catalog</source>
        <translation>产品目录</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Risk</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <source>Minimum amount</source>
        <translation>起购金额</translation>
    </message>
    <message>
        <source>Sale window</source>
        <translation>销售期</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>产品数</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Catalog versions (double-click to view an earlier one)</source>
        <translation>目录版本（双击查看历史版本）</translation>
    </message>
    <message>
        <source>&amp;Filter:</source>
        <translation>筛选(&amp;F)：</translation>
    </message>
    <message>
        <source>code, name, issuer, type or risk level</source>
        <translation>代码、名称、发行机构、类型或风险等级</translation>
    </message>
    <message>
        <source>Add product…</source>
        <translation>添加产品…</translation>
    </message>
    <message>
        <source>Add a product (Ins)</source>
        <translation>添加产品（Ins）</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Import a CSV or JSON catalog file; all rows must be valid</source>
        <translation>导入 CSV 或 JSON 产品目录文件；所有行都必须有效</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Licences…</source>
        <translation>从业资格…</translation>
    </message>
    <message>
        <source>Staff licences required to sell products</source>
        <translation>销售产品所需的员工从业资格</translation>
    </message>
    <message>
        <source>Show current</source>
        <translation>显示当前版本</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Reload the catalog (F5)</source>
        <translation>重新加载目录（F5）</translation>
    </message>
    <message>
        <source>No catalog loaded yet</source>
        <translation>尚未导入产品目录</translation>
    </message>
    <message>
        <source>Current version {n}</source>
        <translation>当前版本 {n}</translation>
    </message>
    <message>
        <source>Earlier version {n} (read-only)</source>
        <translation>历史版本 {n}（只读）</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Import catalog</source>
        <translation>导入产品目录</translation>
    </message>
    <message>
        <source>Catalog files (*.csv *.json);;All files (*)</source>
        <translation>目录文件 (*.csv *.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Warning: {text}</source>
        <translation>提示：{text}</translation>
    </message>
    <message>
        <source>Export catalog</source>
        <translation>导出产品目录</translation>
    </message>
    <message>
        <source>CSV (*.csv);;JSON (*.json)</source>
        <translation>CSV (*.csv);;JSON (*.json)</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>修改密码</translation>
    </message>
    <message>
        <source>Your password was set by an administrator. Choose your own password now.</source>
        <translation>您的密码由管理员设置，请现在设置您自己的密码。</translation>
    </message>
    <message>
        <source>Choose a new password.</source>
        <translation>请设置新密码。</translation>
    </message>
    <message>
        <source>&amp;Current password</source>
        <translation>当前密码(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;New password</source>
        <translation>新密码(&amp;N)</translation>
    </message>
    <message>
        <source>C&amp;onfirm new password</source>
        <translation>确认新密码(&amp;O)</translation>
    </message>
    <message>
        <source>The two new passwords do not match.</source>
        <translation>两次输入的新密码不一致。</translation>
    </message>
</context>
<context>
    <name>ChangeRoleDialog</name>
    <message>
        <source>Change role</source>
        <translation>更改角色</translation>
    </message>
    <message>
        <source>Choose the new role for {name}.</source>
        <translation>为 {name} 选择新角色。</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>角色(&amp;R)</translation>
    </message>
    <message>
        <source>{name} now has the role {role}.</source>
        <translation>{name} 的角色已改为 {role}。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ConfirmationStep</name>
    <message>
        <source>This workstation is stand-alone: the records stay here.</source>
        <translation>本工作站为单机模式：记录保存在本机。</translation>
    </message>
    <message>
        <source>Hub: all {sent} records of this sale have arrived.</source>
        <translation>中心：本笔销售的 {sent} 条记录已全部上送。</translation>
    </message>
    <message>
        <source>Hub: {unsent} records of this sale not yet sent (they go as soon as the hub can be reached).</source>
        <translation>中心：本笔销售尚有 {unsent} 条记录未上送（连接中心后即自动上送）。</translation>
    </message>
    <message>
        <source>Issuing and signing the confirmation…</source>
        <translation>正在生成并签署确认书…</translation>
    </message>
    <message>
        <source>Confirmation {number} signed. Print the customer copy and the branch copy.</source>
        <translation>确认书 {number} 已签署。请打印客户联和网点留存联。</translation>
    </message>
    <message>
        <source>Cooling-off period until {until}: the customer may cancel for a full refund.</source>
        <translation>投资冷静期至 {until}：期内客户可解除合同并获全额退款。</translation>
    </message>
</context>
<context>
    <name>ConfirmationView</name>
    <message>
        <source>No trusted timestamp yet: the timestamp authority did not answer when this confirmation was issued (the paper says so). It is added automatically once the authority answers.</source>
        <translation>未加盖可信时间戳：签发本确认书时时间戳机构未应答（纸面已注明）。机构应答后将自动补加。</translation>
    </message>
    <message>
        <source>Trusted timestamp: {time} (UTC+8), authority {authority}</source>
        <translation>可信时间戳：{time}（北京时间），时间戳机构 {authority}</translation>
    </message>
    <message>
        <source>(added after issue)</source>
        <translation>（签发后补加）</translation>
    </message>
    <message>
        <source>Page {page} of {count}</source>
        <translation>第 {page} 页 / 共 {count} 页</translation>
    </message>
    <message>
        <source>No confirmation to show</source>
        <translation>没有可显示的确认书</translation>
    </message>
    <message>
        <source>Confirmation preview</source>
        <translation>确认书预览</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl++)</source>
        <translation>放大（Ctrl++）</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>放大</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+-)</source>
        <translation>缩小（Ctrl+-）</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>Fit width</source>
        <translation>适合宽度</translation>
    </message>
    <message>
        <source>Fit the page to the width of the view (Ctrl+0)</source>
        <translation>按视图宽度显示页面（Ctrl+0）</translation>
    </message>
    <message>
        <source>Print customer copy</source>
        <translation>打印客户联</translation>
    </message>
    <message>
        <source>Print branch copy</source>
        <translation>打印网点留存联</translation>
    </message>
    <message>
        <source>Reprint (marked COPY)</source>
        <translation>重新打印（标注副本）</translation>
    </message>
    <message>
        <source>Prints a separately produced copy marked COPY on every page</source>
        <translation>打印另行生成、每页标注“副本”的文件</translation>
    </message>
    <message>
        <source>A copy can be printed once the customer copy and the branch copy have been printed</source>
        <translation>客户联和银行留存联均打印后，方可打印副本</translation>
    </message>
    <message>
        <source>This confirmation cannot be shown: the PDF is damaged or incomplete. Produce the confirmation again.</source>
        <translation>无法显示该确认书：PDF 文件已损坏或不完整。请重新生成确认书。</translation>
    </message>
    <message>
        <source>Customer copy: printed ✓</source>
        <translation>客户联：已打印 ✓</translation>
    </message>
    <message>
        <source>Customer copy: not printed</source>
        <translation>客户联：未打印</translation>
    </message>
    <message>
        <source>Branch copy: printed ✓</source>
        <translation>网点留存联：已打印 ✓</translation>
    </message>
    <message>
        <source>Branch copy: not printed</source>
        <translation>网点留存联：未打印</translation>
    </message>
    <message>
        <source>Reprint (COPY): printed ✓</source>
        <translation>副本：已打印 ✓</translation>
    </message>
    <message>
        <source>Printing… please wait.</source>
        <translation>正在打印，请稍候…</translation>
    </message>
</context>
<context>
    <name>ConsentStep</name>
    <message>
        <source>Customer &amp;agrees</source>
        <translation>客户同意(&amp;A)</translation>
    </message>
    <message>
        <source>Customer &amp;refuses</source>
        <translation>客户拒绝(&amp;R)</translation>
    </message>
</context>
<context>
    <name>CounterSessionPage</name>
    <message>
        <source>1 Document</source>
        <translation>1 证件</translation>
    </message>
    <message>
        <source>2 Consent</source>
        <translation>2 授权同意</translation>
    </message>
    <message>
        <source>3 Customer data</source>
        <translation>3 客户信息</translation>
    </message>
    <message>
        <source>4 Screening</source>
        <translation>4 名单筛查</translation>
    </message>
    <message>
        <source>5 Risk assessment</source>
        <translation>5 风险测评</translation>
    </message>
    <message>
        <source>6 Recommendation</source>
        <translation>6 产品推荐</translation>
    </message>
    <message>
        <source>7 Sign-off</source>
        <translation>7 揭示与签署</translation>
    </message>
    <message>
        <source>8 Approval</source>
        <translation>8 主管审批</translation>
    </message>
    <message>
        <source>9 Confirmation</source>
        <translation>9 确认书</translation>
    </message>
    <message>
        <source>10 Done</source>
        <translation>10 完成</translation>
    </message>
    <message>
        <source>Start a counter session to serve a customer (F2). First the customer is identified: the identity document is typed, scanned or read; a new customer gives separate consent to the processing of sensitive personal information; the customer&apos;s data is completed; and the customer is screened against the sanctions lists. Then the customer answers the risk questionnaire, the teller proposes suitable products, the customer reads the risk disclosure and signs, a supervisor approves where required, and the signed confirmation is printed.</source>
        <translation>开始柜面业务以服务客户（F2）。首先识别客户：录入、扫描或读取身份证件；新客户单独同意处理敏感个人信息；补全客户信息；并进行制裁名单筛查。随后客户本人完成风险测评，柜员推荐适合的产品，客户阅读风险揭示并签名，按规定需审批的由主管审批，最后打印已签名的确认书。</translation>
    </message>
    <message>
        <source>S&amp;tart counter session (F2)</source>
        <translation>开始柜面业务(&amp;T)（F2）</translation>
    </message>
    <message>
        <source>← &amp;Back</source>
        <translation>← 上一步(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Next (Ctrl+Enter)</source>
        <translation>下一步(&amp;N)（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>完成(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Cancel session</source>
        <translation>取消业务(&amp;C)</translation>
    </message>
    <message>
        <source>Session stopped: {reason}</source>
        <translation>业务已终止：{reason}</translation>
    </message>
    <message>
        <source>Save the blank questionnaire</source>
        <translation>保存空白问卷</translation>
    </message>
    <message>
        <source>Blank questionnaire {number} saved; print it for the customer.</source>
        <translation>空白问卷 {number} 已保存，请打印给客户填写。</translation>
    </message>
    <message>
        <source>The customer closed the questionnaire window before finishing. Start the questionnaire again when the customer is ready.</source>
        <translation>客户在完成前关闭了问卷窗口。客户准备好后请重新开始问卷。</translation>
    </message>
    <message>
        <source>Session cancelled: {reason}</source>
        <translation>业务已取消：{reason}</translation>
    </message>
    <message>
        <source>Session cancelled.</source>
        <translation>业务已取消。</translation>
    </message>
    <message>
        <source>Session complete. Start the next one with F2.</source>
        <translation>业务已完成。按 F2 开始下一笔。</translation>
    </message>
</context>
<context>
    <name>CustomerWindow</name>
    <message>
        <source>{title} — keying in paper form {number}</source>
        <translation>{title} — 录入纸质问卷 {number}</translation>
    </message>
    <message>
        <source>← Previous</source>
        <translation>← 上一题</translation>
    </message>
    <message>
        <source>I understand that my risk grade has changed and I confirm the new grade</source>
        <translation>本人已知悉风险等级发生变化，并确认新的等级</translation>
    </message>
    <message>
        <source>I confirm this result</source>
        <translation>本人确认此测评结果</translation>
    </message>
    <message>
        <source>Question {n} of {total} · answered {done}</source>
        <translation>第 {n} 题，共 {total} 题 · 已答 {done} 题</translation>
    </message>
    <message>
        <source>Submit answers</source>
        <translation>提交答案</translation>
    </message>
    <message>
        <source>Next →</source>
        <translation>下一题 →</translation>
    </message>
    <message>
        <source>Your risk tolerance grade: {grade} {name}
Valid until {until}.</source>
        <translation>您的风险承受能力等级：{grade} {name}
有效期至 {until}。</translation>
    </message>
    <message>
        <source>You are in the lowest risk category: only the lowest-risk products (R1) are open to you.</source>
        <translation>您属于风险承受能力最低类别：仅可购买最低风险（R1）产品。</translation>
    </message>
    <message>
        <source>Your previous grade was {previous}. Please read the new grade and confirm it.</source>
        <translation>您之前的等级为 {previous}。请阅读新的等级并予以确认。</translation>
    </message>
    <message>
        <source>Please tick the box to confirm the changed grade.</source>
        <translation>请勾选以确认变化后的等级。</translation>
    </message>
    <message>
        <source>Thank you. Please hand the screen back to the teller.</source>
        <translation>谢谢。请将屏幕交还柜员。</translation>
    </message>
</context>
<context>
    <name>DocumentStep</name>
    <message>
        <source>Document &amp;type</source>
        <translation>证件类型(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Issue date</source>
        <translation>签发日期(&amp;I)</translation>
    </message>
    <message>
        <source>Document n&amp;umber</source>
        <translation>证件号码(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Long-term</source>
        <translation>长期有效(&amp;L)</translation>
    </message>
    <message>
        <source>E&amp;xpiry date</source>
        <translation>有效期至(&amp;X)</translation>
    </message>
    <message>
        <source>&amp;MRZ (passport lines)</source>
        <translation>机读码 MRZ(&amp;M)（护照底部两行）</translation>
    </message>
    <message>
        <source>Type the number or scan the document into this field</source>
        <translation>输入证件号码，或将证件扫描到此处</translation>
    </message>
    <message>
        <source>Document reader: SIMULATOR (demo and tests only)</source>
        <translation>读卡器：模拟器（仅用于演示和测试）</translation>
    </message>
    <message>
        <source>&amp;Read document</source>
        <translation>读取证件(&amp;R)</translation>
    </message>
    <message>
        <source>Copy of the document (customer due diligence)</source>
        <translation>证件影印件（客户尽职调查）</translation>
    </message>
    <message>
        <source>Image from rea&amp;der</source>
        <translation>从读卡器取像(&amp;D)</translation>
    </message>
    <message>
        <source>Ch&amp;oose image file…</source>
        <translation>选择图像文件(&amp;O)…</translation>
    </message>
    <message>
        <source>Customer refuses a cop&amp;y</source>
        <translation>客户拒绝留存影印件(&amp;Y)</translation>
    </message>
    <message>
        <source>CNY {cny:,} or USD {usd:,} and more</source>
        <translation>人民币 {cny:,} 元或 {usd:,} 美元及以上</translation>
    </message>
    <message>
        <source>Order 〔2025〕 No. 11</source>
        <translation>〔2025〕第11号令</translation>
    </message>
    <message>
        <source>No copy yet. Sales of {limits} need a copy of the identity document; without one the sale stops ({rule}).</source>
        <translation>尚未留存影印件。销售金额达到{limits}须留存客户身份证件影印件，否则销售将终止（{rule}）。</translation>
    </message>
    <message>
        <source>Checking the image…</source>
        <translation>正在检查图像…</translation>
    </message>
    <message>
        <source>Copy taken ({source}, {width}×{height}); it is kept encrypted with the customer record.</source>
        <translation>已取得影印件（{source}，{width}×{height}），将与客户资料一并加密保存。</translation>
    </message>
    <message>
        <source>The customer refuses a copy: a sale of {limits} will stop and be referred to the AML officer ({rule}).</source>
        <translation>客户拒绝留存证件影印件：金额达到{limits}的销售将终止，并向反洗钱岗位提交可疑交易报告线索（{rule}）。</translation>
    </message>
    <message>
        <source>simulated reader</source>
        <translation>模拟读卡器</translation>
    </message>
    <message>
        <source>scanned file</source>
        <translation>扫描文件</translation>
    </message>
    <message>
        <source>Choose the scanned image of the document</source>
        <translation>选择证件扫描图像</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg)</source>
        <translation>图像 (*.png *.jpg *.jpeg)</translation>
    </message>
    <message>
        <source>The image file is too large (at most {n} KiB).</source>
        <translation>图像文件过大（上限 {n} 千字节）。</translation>
    </message>
    <message>
        <source>The file cannot be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
</context>
<context>
    <name>DoneStep</name>
    <message>
        <source>Returning customer</source>
        <translation>老客户</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>新客户</translation>
    </message>
    <message>
        <source>no match on the loaded lists</source>
        <translation>未命中已加载的名单</translation>
    </message>
    <message>
        <source>potential hit cleared by a supervisor as a false positive</source>
        <translation>疑似命中已由主管排除为误报</translation>
    </message>
    <message>
        <source>Identification complete.
{kind}, document {number}.
Screening: {status}.</source>
        <translation>客户识别完成。
{kind}，证件 {number}。
名单筛查：{status}。</translation>
    </message>
    <message>
        <source>Sale complete: confirmation {doc} signed and printed.</source>
        <translation>销售完成：确认书 {doc} 已签署并打印。</translation>
    </message>
    <message>
        <source>low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <source>AML risk rating: {level}</source>
        <translation>反洗钱风险等级：{level}</translation>
    </message>
</context>
<context>
    <name>EnrolmentDialog</name>
    <message>
        <source>Set up the second factor</source>
        <translation>设置第二因素</translation>
    </message>
    <message>
        <source>{user}: your role signs in with a second factor. Scan this QR code with an authenticator app on your phone (time-based, 6 digits), or type the key below into it. The key is shown only now.</source>
        <translation>{user}：你的角色须使用第二因素登录。请用手机上的身份验证器应用扫描此二维码（基于时间，6 位），或在应用中输入下方密钥。密钥只在此刻显示一次。</translation>
    </message>
    <message>
        <source>Key (issuer {issuer}):</source>
        <translation>密钥（发行方 {issuer}）：</translation>
    </message>
    <message>
        <source>&amp;First code from the app</source>
        <translation>应用显示的第一个口令(&amp;F)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Confirm and sign in</source>
        <translation>确认并登录</translation>
    </message>
    <message>
        <source>Enter the 6 digits the app shows.</source>
        <translation>请输入应用显示的 6 位数字。</translation>
    </message>
    <message>
        <source>Recovery codes</source>
        <translation>恢复码</translation>
    </message>
</context>
<context>
    <name>EvaluationController</name>
    <message>
        <source>The customer is asked to rate the service on the customer screen.</source>
        <translation>正在请客户在客户屏上评价本次服务。</translation>
    </message>
    <message>
        <source>Evaluation submitted.</source>
        <translation>评价已提交。</translation>
    </message>
    <message>
        <source>The customer skipped the evaluation.</source>
        <translation>客户跳过评价。</translation>
    </message>
    <message>
        <source>The customer closed the evaluation without rating.</source>
        <translation>客户未评价即关闭了评价窗口。</translation>
    </message>
</context>
<context>
    <name>EvaluationWindow</name>
    <message>
        <source>Your evaluation of our service</source>
        <translation>服务评价</translation>
    </message>
    <message>
        <source>How was our service today?</source>
        <translation>您对今天的服务满意吗？</translation>
    </message>
    <message>
        <source>Please choose from 1 to 5 stars (keys 1-5): 1 very poor, 5 excellent.</source>
        <translation>请选择 1 至 5 颗星（可按数字键 1-5）：1 星为很不满意，5 星为非常满意。</translation>
    </message>
    <message>
        <source>{n} of 5 stars</source>
        <translation>{n} 颗星（满分 5 颗）</translation>
    </message>
    <message>
        <source>What made the difference? (optional, several allowed)</source>
        <translation>您评价的主要原因（可选，可多选）</translation>
    </message>
    <message>
        <source>How likely are you to recommend our bank to a friend or colleague? (optional)</source>
        <translation>您向亲友或同事推荐我行的可能性有多大？（可选）</translation>
    </message>
    <message>
        <source>0 = not at all likely, 10 = extremely likely</source>
        <translation>0 = 完全不可能，10 = 极有可能</translation>
    </message>
    <message>
        <source>Anything else you would like to tell us? (optional, at most {n} characters)</source>
        <translation>您还有其他意见或建议吗？（可选，最多 {n} 字）</translation>
    </message>
    <message>
        <source>Your comment</source>
        <translation>您的意见</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <source>Thank you. Please hand the screen back to the teller.</source>
        <translation>谢谢您。请将屏幕交还柜员。</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>You chose {n} of 5 stars.</source>
        <translation>您选择了 {n} 颗星。</translation>
    </message>
    <message>
        <source>No stars chosen yet.</source>
        <translation>尚未选择星级。</translation>
    </message>
</context>
<context>
    <name>FindCustomerPage</name>
    <message>
        <source>Find a customer</source>
        <translation>查找客户</translation>
    </message>
    <message>
        <source>Document number, or name in characters or pinyin (full or initials)</source>
        <translation>证件号码，或姓名（汉字、全拼或拼音首字母）</translation>
    </message>
    <message>
        <source>S&amp;earch</source>
        <translation>查找(&amp;E)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Document</source>
        <translation>证件</translation>
    </message>
    <message>
        <source>Born</source>
        <translation>出生</translation>
    </message>
    <message>
        <source>Tier</source>
        <translation>客户层级</translation>
    </message>
    <message>
        <source>Found by</source>
        <translation>匹配方式</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Value (masked)</source>
        <translation>值（已脱敏）</translation>
    </message>
    <message>
        <source>&amp;Reveal the selected value (recorded in the audit log)</source>
        <translation>查看所选项的完整内容(&amp;R)（记入审计日志）</translation>
    </message>
    <message>
        <source>E&amp;xport the customer&apos;s data (encrypted file)…</source>
        <translation>导出客户个人信息（加密文件）(&amp;X)…</translation>
    </message>
    <message>
        <source>&amp;Print a copy of the customer&apos;s data (masked)…</source>
        <translation>打印客户个人信息副本（去标识化）(&amp;P)…</translation>
    </message>
    <message>
        <source>Record a deletion re&amp;quest (restricts processing)…</source>
        <translation>登记删除请求（限制处理）(&amp;Q)…</translation>
    </message>
    <message>
        <source>Mass</source>
        <translation>大众客户</translation>
    </message>
    <message>
        <source>Wealth</source>
        <translation>财富客户</translation>
    </message>
    <message>
        <source>Private banking</source>
        <translation>私人银行</translation>
    </message>
    <message>
        <source>document number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <source>name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>pinyin</source>
        <translation>拼音</translation>
    </message>
    <message>
        <source>pinyin initials</source>
        <translation>拼音首字母</translation>
    </message>
    <message>
        <source>given name</source>
        <translation>名字</translation>
    </message>
    <message>
        <source>[Restricted] {name}</source>
        <translation>[限制处理] {name}</translation>
    </message>
    <message>
        <source>No customer found.</source>
        <translation>未找到客户。</translation>
    </message>
    <message>
        <source>Hub: all {sent} records of this customer have arrived.</source>
        <translation>中心：该客户的 {sent} 条记录已全部上送。</translation>
    </message>
    <message>
        <source>Hub: {unsent} records of this customer not yet sent.</source>
        <translation>中心：该客户尚有 {unsent} 条记录未上送。</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>This value is not masked.</source>
        <translation>此项未脱敏。</translation>
    </message>
    <message>
        <source>Save the encrypted export</source>
        <translation>保存加密的导出文件</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Encrypted file saved to {path}. Password to open it (give it to the customer separately; it is not shown again): {password}</source>
        <translation>加密文件已保存到 {path}。打开密码（请单独交给客户，不会再次显示）：{password}</translation>
    </message>
    <message>
        <source>Print a copy of the customer&apos;s data</source>
        <translation>打印客户个人信息副本</translation>
    </message>
    <message>
        <source>The copy of the customer&apos;s data was sent to the printer.</source>
        <translation>客户个人信息副本已发送到打印机。</translation>
    </message>
    <message>
        <source>Deletion request</source>
        <translation>删除请求</translation>
    </message>
    <message>
        <source>The customer asks for deletion, but the records must be kept for their legal retention period. Record the request and restrict all processing to storage (PIPL Art 47)?</source>
        <translation>客户申请删除个人信息，但相关记录仍须在法定保存期内保存。是否登记该请求，并依《个人信息保护法》第四十七条将处理限制为仅存储？</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Start a counter session</source>
        <translation>开始柜面业务</translation>
    </message>
    <message>
        <source>Find a customer</source>
        <translation>查找客户</translation>
    </message>
    <message>
        <source>Screening reviews</source>
        <translation>名单筛查复核</translation>
    </message>
    <message>
        <source>Sign-off approvals</source>
        <translation>签署审批</translation>
    </message>
    <message>
        <source>Cooling-off and follow-ups</source>
        <translation>冷静期与回访</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户管理</translation>
    </message>
    <message>
        <source>Product catalog</source>
        <translation>产品目录</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <source>Sync with the hub</source>
        <translation>与中心同步</translation>
    </message>
    <message>
        <source>Welcome, {name} ({role})</source>
        <translation>欢迎，{name}（{role}）</translation>
    </message>
    <message>
        <source>(Coming in a later release.)</source>
        <translation>（将在后续版本中提供。）</translation>
    </message>
</context>
<context>
    <name>LicencesDialog</name>
    <message>
        <source>Staff licences</source>
        <translation>员工从业资格</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>资格</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>证书编号</translation>
    </message>
    <message>
        <source>Issued</source>
        <translation>取得日期</translation>
    </message>
    <message>
        <source>Expires</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Licence &amp;type</source>
        <translation>资格类型(&amp;T)</translation>
    </message>
    <message>
        <source>Certificate &amp;number</source>
        <translation>证书编号(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Issued on</source>
        <translation>取得日期(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Expires on (empty = no expiry)</source>
        <translation>到期日(&amp;E)（留空为长期）</translation>
    </message>
    <message>
        <source>Save licence</source>
        <translation>保存资格</translation>
    </message>
    <message>
        <source>Remove licence</source>
        <translation>删除资格</translation>
    </message>
    <message>
        <source>Valid</source>
        <translation>有效</translation>
    </message>
    <message>
        <source>Not yet valid</source>
        <translation>尚未生效</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Enter dates as YYYY-MM-DD.</source>
        <translation>日期格式为 YYYY-MM-DD。</translation>
    </message>
    <message>
        <source>Licence saved: {licence}.</source>
        <translation>已保存资格：{licence}。</translation>
    </message>
    <message>
        <source>Licence removed.</source>
        <translation>已删除资格。</translation>
    </message>
    <message>
        <source>The user does not hold this licence.</source>
        <translation>该用户没有此项资格。</translation>
    </message>
</context>
<context>
    <name>LockPage</name>
    <message>
        <source>Screen locked</source>
        <translation>屏幕已锁定</translation>
    </message>
    <message>
        <source>Locked for {name}. Enter this user&apos;s password to continue, or switch user (this signs {name} out).</source>
        <translation>已为 {name} 锁定。输入该用户的密码继续，或切换用户（{name} 将被登出）。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Unlocking…</source>
        <translation>正在解锁…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Switch user</source>
        <translation>切换用户</translation>
    </message>
    <message>
        <source>The screen locked while someone was typing; those keys were not used as a password and did not count as a sign-in attempt. Enter your password.</source>
        <translation>屏幕在输入过程中锁定；这些按键未被当作密码，也不计为登录尝试。请输入您的密码。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>CounterDesk</source>
        <translation>CounterDesk 柜面通</translation>
    </message>
    <message>
        <source> — DEMO</source>
        <translation> — 演示</translation>
    </message>
    <message>
        <source>&amp;Session</source>
        <translation>会话(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Lock screen</source>
        <translation>锁定屏幕(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Change password…</source>
        <translation>修改密码(&amp;C)…</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>登出(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Preparing the DEMO branch (creating the encrypted database and demo users)…</source>
        <translation>正在准备演示网点（创建加密数据库和演示用户）…</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Supervisor approval at this workstation</source>
        <translation>主管在本机审批</translation>
    </message>
    <message>
        <source>Customer {customer}, product {product} ({risk}), amount {amount}.
Reasons:
{reasons}

The supervisor signs in here; the approval is recorded as given at this workstation.</source>
        <translation>客户 {customer}，产品 {product}（{risk}），金额 {amount}。
审批原因：
{reasons}

主管在此登录；审批将记录为在本柜员工作站上作出。</translation>
    </message>
    <message>
        <source>Supervisor &amp;user name</source>
        <translation>主管用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>Authenticator &amp;code</source>
        <translation>动态口令(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Reason (required to reject)</source>
        <translation>原因（驳回时必填）(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>批准(&amp;A)</translation>
    </message>
    <message>
        <source>Re&amp;ject</source>
        <translation>驳回(&amp;J)</translation>
    </message>
</context>
<context>
    <name>ProductDialog</name>
    <message>
        <source>Edit product</source>
        <translation>编辑产品</translation>
    </message>
    <message>
        <source>Add product</source>
        <translation>添加产品</translation>
    </message>
    <message>
        <source>&amp;Code</source>
        <translation>代码(&amp;C)</translation>
    </message>
    <message>
        <source>Chinese &amp;name</source>
        <translation>中文名称(&amp;N)</translation>
    </message>
    <message>
        <source>English n&amp;ame</source>
        <translation>英文名称(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Type</source>
        <translation>类型(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Risk level</source>
        <translation>风险等级(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Issuer</source>
        <translation>发行机构(&amp;I)</translation>
    </message>
    <message>
        <source>Term (days, empty = open-ended)</source>
        <translation>期限（天，留空为无固定期限）</translation>
    </message>
    <message>
        <source>&amp;Minimum amount</source>
        <translation>起购金额(&amp;M)</translation>
    </message>
    <message>
        <source>Currenc&amp;y (ISO 4217)</source>
        <translation>币种(&amp;Y)（ISO 4217）</translation>
    </message>
    <message>
        <source>&amp;Liquidity</source>
        <translation>流动性(&amp;L)</translation>
    </message>
    <message>
        <source>Sale &amp;start</source>
        <translation>销售开始(&amp;S)</translation>
    </message>
    <message>
        <source>Sale &amp;end (empty = no end)</source>
        <translation>销售结束(&amp;E)（留空为不限）</translation>
    </message>
    <message>
        <source>&amp;Public offering</source>
        <translation>公募(&amp;P)</translation>
    </message>
    <message>
        <source>Pri&amp;vate class</source>
        <translation>私募类别(&amp;V)</translation>
    </message>
    <message>
        <source>Principal protecte&amp;d</source>
        <translation>保本(&amp;D)</translation>
    </message>
    <message>
        <source>C&amp;ooling-off (hours)</source>
        <translation>冷静期(&amp;O)（小时）</translation>
    </message>
    <message>
        <source>Dual recordin&amp;g required</source>
        <translation>须双录(&amp;G)</translation>
    </message>
    <message>
        <source>Licence re&amp;quired</source>
        <translation>所需资格(&amp;Q)</translation>
    </message>
    <message>
        <source>Periodic premium</source>
        <translation>期缴保费</translation>
    </message>
    <message>
        <source>Stat&amp;us</source>
        <translation>状态(&amp;U)</translation>
    </message>
    <message>
        <source>Note (for the version list)</source>
        <translation>备注（记入版本列表）</translation>
    </message>
    <message>
        <source>Save as new catalog version</source>
        <translation>保存为新的目录版本</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Product {code} saved; the catalog has a new version.</source>
        <translation>产品 {code} 已保存，产品目录生成了新版本。</translation>
    </message>
</context>
<context>
    <name>ProfileStep</name>
    <message>
        <source>Returning customer: current values are shown masked in grey. Type only what has changed; empty fields keep their current value.</source>
        <translation>老客户：当前信息以灰色脱敏显示。只需填写有变化的项，留空的项保持不变。</translation>
    </message>
    <message>
        <source>New customer: complete the customer&apos;s data. Fields marked * are required.</source>
        <translation>新客户：请完善客户信息，带 * 的为必填项。</translation>
    </message>
</context>
<context>
    <name>RecommendationStep</name>
    <message>
        <source>&amp;Amount to invest (CNY)</source>
        <translation>拟投资金额(&amp;A)（元）</translation>
    </message>
    <message>
        <source>&amp;Investable assets declared by the customer (CNY)</source>
        <translation>客户申报的可投资资产(&amp;I)（元）</translation>
    </message>
    <message>
        <source>Money may be &amp;needed</source>
        <translation>资金可能需要使用的时间(&amp;N)</translation>
    </message>
    <message>
        <source>within 1 year</source>
        <translation>1 年以内</translation>
    </message>
    <message>
        <source>in 1 to 3 years</source>
        <translation>1-3 年</translation>
    </message>
    <message>
        <source>in 3 to 5 years</source>
        <translation>3-5 年</translation>
    </message>
    <message>
        <source>after 5 years</source>
        <translation>5 年以上</translation>
    </message>
    <message>
        <source>Sh&amp;ow suitable products</source>
        <translation>显示适合的产品(&amp;O)</translation>
    </message>
    <message>
        <source>Declared finances for private products and insurance (optional)</source>
        <translation>私募产品及保险所需的财务申报（选填）</translation>
    </message>
    <message>
        <source>Household net financial assets (CNY)</source>
        <translation>家庭金融净资产（元）</translation>
    </message>
    <message>
        <source>Household financial assets (CNY)</source>
        <translation>家庭金融资产（元）</translation>
    </message>
    <message>
        <source>Average personal income, last 3 years (CNY)</source>
        <translation>近 3 年个人年均收入（元）</translation>
    </message>
    <message>
        <source>Household annual income (CNY)</source>
        <translation>家庭年收入（元）</translation>
    </message>
    <message>
        <source>Filter by code or name</source>
        <translation>按代码或名称筛选</translation>
    </message>
    <message>
        <source>#</source>
        <translation>序</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Risk</source>
        <translation>风险等级</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>推荐理由</translation>
    </message>
    <message>
        <source>C&amp;hoose the selected product</source>
        <translation>选择所选产品(&amp;H)</translation>
    </message>
    <message>
        <source>The customer as&amp;ks for a product by name (customer-initiated; never a suggestion of the bank):</source>
        <translation>客户主动指定产品(&amp;K)（客户主动要求，并非本行推荐）：</translation>
    </message>
    <message>
        <source>Product code</source>
        <translation>产品代码</translation>
    </message>
    <message>
        <source>Check the customer&apos;s &amp;request</source>
        <translation>核查客户的要求(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Proceed at the customer&apos;s request</source>
        <translation>按客户要求继续办理(&amp;P)</translation>
    </message>
    <message>
        <source>The amount or the customer&apos;s finances changed: show the suitable products again, or check the customer&apos;s request, for the new values.</source>
        <translation>金额或客户申报的财务信息已更改：请按新数值重新显示适合的产品，或重新核查客户的主动申请。</translation>
    </message>
    <message>
        <source>No product in the catalog suits this customer and amount.</source>
        <translation>目录中没有适合该客户及金额的产品。</translation>
    </message>
    <message>
        <source>No product with this code in the catalog.</source>
        <translation>目录中没有此代码的产品。</translation>
    </message>
</context>
<context>
    <name>RecoveryCodesView</name>
    <message>
        <source>Recovery codes: each signs you in once without the phone. Print them or write them down now and keep them somewhere safe: they are not shown again.</source>
        <translation>恢复码：每个可在没有手机时登录一次。请立即打印或抄写并妥善保管：它们不会再次显示。</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>I have kept them, &amp;continue</source>
        <translation>我已保存，继续(&amp;C)</translation>
    </message>
    <message>
        <source>Copied. Paste them somewhere safe, then clear the clipboard.</source>
        <translation>已复制。请粘贴到安全的地方，然后清空剪贴板。</translation>
    </message>
    <message>
        <source>Print recovery codes</source>
        <translation>打印恢复码</translation>
    </message>
    <message>
        <source>CounterDesk recovery codes for {user}</source>
        <translation>CounterDesk 恢复码：{user}</translation>
    </message>
    <message>
        <source>Printed.</source>
        <translation>已打印。</translation>
    </message>
</context>
<context>
    <name>ResetFactorDialog</name>
    <message>
        <source>Reset second factor</source>
        <translation>重置第二因素</translation>
    </message>
    <message>
        <source>Remove the authenticator app and the recovery codes of {name}? Do this when the phone is lost. {name} sets up a new one at the next sign-in; until then the password alone does not sign them in.</source>
        <translation>要移除 {name} 的身份验证器和恢复码吗？请在手机丢失时这样做。{name} 下次登录时须重新设置；在此之前仅凭密码无法登录。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The second factor of {name} is reset.</source>
        <translation>已重置 {name} 的第二因素。</translation>
    </message>
</context>
<context>
    <name>ScreeningStep</name>
    <message>
        <source>Check &amp;again</source>
        <translation>重新检查(&amp;A)</translation>
    </message>
    <message>
        <source>Screening the customer against the sanctions lists…</source>
        <translation>正在对照制裁名单筛查客户…</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Changes apply to every workstation of this branch and are recorded in the audit log. Hover over a setting to see its key and source.</source>
        <translation>更改适用于本网点的所有工作站，并记入审计日志。将鼠标悬停在设置项上可查看其键名和依据。</translation>
    </message>
    <message>
        <source>Key: {key}</source>
        <translation>键名：{key}</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>依据：{source}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the changed settings (Ctrl+S)</source>
        <translation>保存已更改的设置（Ctrl+S）</translation>
    </message>
    <message>
        <source>Revert</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Discard unsaved changes</source>
        <translation>放弃未保存的更改</translation>
    </message>
    <message>
        <source>A value cannot be read; check the fields.</source>
        <translation>有取值无法读取，请检查各字段。</translation>
    </message>
    <message>
        <source>Nothing to save: no setting was changed.</source>
        <translation>没有需要保存的内容：未更改任何设置。</translation>
    </message>
    <message>
        <source>Saved: {names}.</source>
        <translation>已保存：{names}。</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <source>Set up this workstation</source>
        <translation>设置本工作站</translation>
    </message>
    <message>
        <source>No branch is set up in this data folder yet. Create the branch and its first administrator. The administrator then adds tellers, supervisors and auditors.</source>
        <translation>此数据目录中尚未设置网点。请创建网点及其第一个管理员，再由管理员添加柜员、主管和审计员。</translation>
    </message>
    <message>
        <source>Branch &amp;code</source>
        <translation>网点代码(&amp;C)</translation>
    </message>
    <message>
        <source>Branch &amp;name</source>
        <translation>网点名称(&amp;N)</translation>
    </message>
    <message>
        <source>Administrator &amp;username</source>
        <translation>管理员用户名(&amp;U)</translation>
    </message>
    <message>
        <source>Administrator &amp;display name</source>
        <translation>管理员姓名(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>C&amp;onfirm password</source>
        <translation>确认密码(&amp;O)</translation>
    </message>
    <message>
        <source>Create branch</source>
        <translation>创建网点</translation>
    </message>
    <message>
        <source>Password: at least {n} characters with at least two of letters, digits and symbols, not containing the username.</source>
        <translation>密码：至少 {n} 个字符，包含字母、数字、符号中的至少两类，且不得包含用户名。</translation>
    </message>
    <message>
        <source>This is the recovery key. It unlocks the data if every administrator password is lost. Write it down and keep it in the branch safe: it is shown only this once and is not stored anywhere in the clear.</source>
        <translation>这是恢复密钥。所有管理员密码都丢失时，可用它解锁数据。请抄写下来并存放在网点保险柜中：它只显示这一次，且不会以明文形式保存在任何地方。</translation>
    </message>
    <message>
        <source>I have written down the recovery key</source>
        <translation>我已抄写恢复密钥</translation>
    </message>
    <message>
        <source>Continue to sign-in</source>
        <translation>继续登录</translation>
    </message>
    <message>
        <source>The two passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Creating the encrypted database…</source>
        <translation>正在创建加密数据库…</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>CounterDesk sign-in</source>
        <translation>CounterDesk 柜面通 登录</translation>
    </message>
    <message>
        <source>Branch: {branch}</source>
        <translation>网点：{branch}</translation>
    </message>
    <message>
        <source>&amp;Username</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在登录…</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>{user}: enter the 6-digit code your authenticator app shows now, or one of your recovery codes.</source>
        <translation>{user}：请输入身份验证器当前显示的 6 位动态口令，或一个恢复码。</translation>
    </message>
    <message>
        <source>&amp;Code</source>
        <translation>动态口令(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>返回(&amp;B)</translation>
    </message>
    <message>
        <source>DEMO branch: the supervisor&apos;s and administrator&apos;s authenticator key is {key}</source>
        <translation>演示支行：主管和管理员的身份验证器密钥为 {key}</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>DEMO branch: demonstration data only, not for real customers</source>
        <translation>演示网点：仅含演示数据，不得用于真实客户</translation>
    </message>
    <message>
        <source>The code was not entered in time. Enter your password again.</source>
        <translation>未在限定时间内输入动态口令，请重新输入密码。</translation>
    </message>
    <message>
        <source>Enter your username and password.</source>
        <translation>请输入用户名和密码。</translation>
    </message>
    <message>
        <source>Enter the code from your authenticator app.</source>
        <translation>请输入身份验证器中的动态口令。</translation>
    </message>
</context>
<context>
    <name>SignaturePad</name>
    <message>
        <source>Undo last stroke</source>
        <translation>撤销上一笔</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Clear signature</source>
        <translation>清除签名</translation>
    </message>
    <message>
        <source>Please sign your full name here</source>
        <translation>请在此处签署您的全名</translation>
    </message>
    <message>
        <source>Signature box</source>
        <translation>签名框</translation>
    </message>
</context>
<context>
    <name>SignoffApprovalsPage</name>
    <message>
        <source>Sign-off approvals</source>
        <translation>签署审批</translation>
    </message>
    <message>
        <source>Sales that need a supervisor&apos;s approval wait here. Read the reasons and the evidence collected at the counter, then approve, or reject with a reason (the sale goes back to the teller). You cannot decide a sale you made or asked for. The list updates by itself every second.</source>
        <translation>需要主管审批的销售在此等待。请阅读审批原因和柜面采集的证据，然后批准，或填写原因后驳回（销售退回柜员）。您不能审批自己经办或提交的销售。列表每秒自动更新。</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Product (risk)</source>
        <translation>产品（风险等级）</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Reasons</source>
        <translation>审批原因</translation>
    </message>
    <message>
        <source>Teller</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>Requested at</source>
        <translation>提交时间</translation>
    </message>
    <message>
        <source>Expires at</source>
        <translation>过期时间</translation>
    </message>
    <message>
        <source>&amp;Reason (required to reject)</source>
        <translation>原因（驳回时必填）(&amp;R)</translation>
    </message>
    <message>
        <source>Show the customer&apos;s &amp;name (recorded)</source>
        <translation>显示客户姓名（将记录）(&amp;N)</translation>
    </message>
    <message>
        <source>Why you reject the sale, or a note on the approval</source>
        <translation>驳回的原因，或批准的备注</translation>
    </message>
    <message>
        <source>&amp;Approve</source>
        <translation>批准(&amp;A)</translation>
    </message>
    <message>
        <source>Re&amp;ject and return to the teller</source>
        <translation>驳回并退回柜员(&amp;J)</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新（F5）</translation>
    </message>
    <message>
        <source>Identity document</source>
        <translation>身份证件</translation>
    </message>
    <message>
        <source>Sanctions screening</source>
        <translation>制裁名单筛查</translation>
    </message>
    <message>
        <source>Risk questionnaire</source>
        <translation>风险测评问卷</translation>
    </message>
    <message>
        <source>Suitability check</source>
        <translation>适当性匹配</translation>
    </message>
    <message>
        <source>Risk disclosure read</source>
        <translation>阅读风险揭示</translation>
    </message>
    <message>
        <source>Sale recording</source>
        <translation>销售录音录像</translation>
    </message>
    <message>
        <source>Customer signature</source>
        <translation>客户签名</translation>
    </message>
    <message>
        <source>Teller attestation</source>
        <translation>柜员确认</translation>
    </message>
    <message>
        <source>Supervisor decision</source>
        <translation>主管审批</translation>
    </message>
    <message>
        <source>Signed confirmation</source>
        <translation>已签名的确认书</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>no hit</source>
        <translation>未命中</translation>
    </message>
    <message>
        <source>potential hit</source>
        <translation>疑似命中</translation>
    </message>
    <message>
        <source>hit cleared as a false positive</source>
        <translation>已排除为误报</translation>
    </message>
    <message>
        <source>confirmed match</source>
        <translation>确认命中</translation>
    </message>
    <message>
        <source>refused: lists out of date</source>
        <translation>拒绝：名单已过期</translation>
    </message>
    <message>
        <source>suitable, may be recommended</source>
        <translation>适合，可推荐</translation>
    </message>
    <message>
        <source>suitable</source>
        <translation>适合</translation>
    </message>
    <message>
        <source>suitable with conditions</source>
        <translation>附条件适合</translation>
    </message>
    <message>
        <source>only at the customer&apos;s own request</source>
        <translation>仅限客户主动购买</translation>
    </message>
    <message>
        <source>may not be sold</source>
        <translation>不得销售</translation>
    </message>
    <message>
        <source>{doc_type}; document fingerprint {digest}; customer record version {version}</source>
        <translation>{doc_type}；证件指纹 {digest}；客户信息版本 {version}</translation>
    </message>
    <message>
        <source>No screening recorded for this sale</source>
        <translation>本笔销售没有筛查记录</translation>
    </message>
    <message>
        <source>Result: {status}; threshold {threshold}; {lists} list(s)</source>
        <translation>结果：{status}；阈值 {threshold}；名单 {lists} 份</translation>
    </message>
    <message>
        <source>{hits} hit(s)</source>
        <translation>命中 {hits} 条</translation>
    </message>
    <message>
        <source>decision: {reason}</source>
        <translation>处理：{reason}</translation>
    </message>
    <message>
        <source>No risk assessment recorded</source>
        <translation>没有风险测评记录</translation>
    </message>
    <message>
        <source>Grade {grade}, score {score}; form {form}; valid until {until}</source>
        <translation>等级 {grade}，得分 {score}；问卷 {form}；有效期至 {until}</translation>
    </message>
    <message>
        <source>{product} ({risk}), amount {amount}: {outcome}; rules {rules}</source>
        <translation>{product}（{risk}），金额 {amount}：{outcome}；规则 {rules}</translation>
    </message>
    <message>
        <source>at the customer&apos;s own request</source>
        <translation>客户主动要求</translation>
    </message>
    <message>
        <source>{count} condition(s) of sale</source>
        <translation>销售条件 {count} 项</translation>
    </message>
    <message>
        <source>{forms} text(s) shown on the customer screen for {seconds} s; read to the end: {scrolled}</source>
        <translation>客户屏显示 {forms} 份文本共 {seconds} 秒；已阅读至末尾：{scrolled}</translation>
    </message>
    <message>
        <source>The customer refused the recording</source>
        <translation>客户拒绝录音录像</translation>
    </message>
    <message>
        <source>The customer consented; recording reference {reference}</source>
        <translation>客户已同意；录像编号 {reference}</translation>
    </message>
    <message>
        <source>(given with the attestation)</source>
        <translation>（随柜员确认提供）</translation>
    </message>
    <message>
        <source>{points} points in {seconds} s on the customer screen; confirmation sentence typed: {sentence}; image {digest}</source>
        <translation>在客户屏上书写 {points} 个点、用时 {seconds} 秒；已抄录确认语句：{sentence}；图像 {digest}</translation>
    </message>
    <message>
        <source>Identity verified: {identity}; disclosure explained: {explained}; at {at}</source>
        <translation>已核实身份：{identity}；已讲解风险揭示：{explained}；时间 {at}</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>已批准</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>已驳回</translation>
    </message>
    <message>
        <source>(at the teller&apos;s workstation)</source>
        <translation>（在柜员工作站上）</translation>
    </message>
    <message>
        <source>Document {number}; file {digest}</source>
        <translation>文件 {number}；文件摘要 {digest}</translation>
    </message>
    <message>
        <source>The request you had selected is no longer waiting (decided elsewhere, expired or withdrawn).</source>
        <translation>您所选的请求已不在等待中（已在别处处理、已过期或已撤回）。</translation>
    </message>
    <message>
        <source>No sale is waiting for approval.</source>
        <translation>目前没有等待审批的销售。</translation>
    </message>
    <message>
        <source>Select a request to see its reasons and evidence.</source>
        <translation>请选择一项请求以查看审批原因和证据。</translation>
    </message>
    <message>
        <source>{product} ({risk}), amount {amount}</source>
        <translation>{product}（{risk}），金额 {amount}</translation>
    </message>
    <message>
        <source>Customer {customer}; teller {teller}; requested {requested}; expires {expires}.</source>
        <translation>客户 {customer}；柜员 {teller}；提交于 {requested}；{expires} 过期。</translation>
    </message>
    <message>
        <source>Why a supervisor must approve</source>
        <translation>须经主管审批的原因</translation>
    </message>
    <message>
        <source>Evidence recorded at the counter</source>
        <translation>柜面记录的证据</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>环节</translation>
    </message>
    <message>
        <source>What was recorded</source>
        <translation>记录内容</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Link hash</source>
        <translation>链接哈希</translation>
    </message>
    <message>
        <source>{count} links; the chain ends in {digest}.</source>
        <translation>共 {count} 个环节；证据链末端为 {digest}。</translation>
    </message>
    <message>
        <source>No evidence recorded.</source>
        <translation>没有证据记录。</translation>
    </message>
    <message>
        <source>You made or asked for this sale: another supervisor must decide it.</source>
        <translation>该销售由您经办或提交：须由另一位主管审批。</translation>
    </message>
    <message>
        <source>Customer&apos;s name: {name}</source>
        <translation>客户姓名：{name}</translation>
    </message>
    <message>
        <source>Approved: the teller can now issue the confirmation.</source>
        <translation>已批准：柜员现在可以生成确认书。</translation>
    </message>
    <message>
        <source>Rejected: the sale is back with the teller, with your reason.</source>
        <translation>已驳回：销售已连同您的原因退回柜员。</translation>
    </message>
</context>
<context>
    <name>SignoffController</name>
    <message>
        <source>The customer closed the customer window before finishing. Hand over again to continue: what the customer already did is kept.</source>
        <translation>客户在完成前关闭了客户窗口。请再次交给客户继续：客户已完成的部分会保留。</translation>
    </message>
    <message>
        <source>Print the customer copy</source>
        <translation>打印客户联</translation>
    </message>
    <message>
        <source>Print the branch copy</source>
        <translation>打印网点留存联</translation>
    </message>
    <message>
        <source>Print a copy (marked COPY)</source>
        <translation>打印副本（标注“副本”）</translation>
    </message>
    <message>
        <source>Customer copy printed.</source>
        <translation>客户联已打印。</translation>
    </message>
    <message>
        <source>Branch copy printed.</source>
        <translation>网点留存联已打印。</translation>
    </message>
    <message>
        <source>Copy (marked COPY) printed.</source>
        <translation>副本已打印。</translation>
    </message>
</context>
<context>
    <name>SignoffStep</name>
    <message>
        <source>&amp;Hand over to the customer (disclosure, consent, signature)</source>
        <translation>把屏幕交给客户（揭示、同意、签名）(&amp;H)</translation>
    </message>
    <message>
        <source>Reference from the branch recording system</source>
        <translation>网点录音录像系统的编号</translation>
    </message>
    <message>
        <source>I have verified the customer&apos;s identity against the original document</source>
        <translation>本人已核对客户身份证件原件</translation>
    </message>
    <message>
        <source>I have explained the risk disclosure and the product to the customer</source>
        <translation>本人已向客户讲解风险揭示和产品</translation>
    </message>
    <message>
        <source>Recording reference:</source>
        <translation>录音录像编号（双录）：</translation>
    </message>
    <message>
        <source>Con&amp;firm and submit</source>
        <translation>确认并提交(&amp;F)</translation>
    </message>
    <message>
        <source>Rejected by the supervisor: {reason}. Collect the sign-off again, or go back and choose another product.</source>
        <translation>主管已驳回：{reason}。请重新办理签署，或返回上一步选择其他产品。</translation>
    </message>
    <message>
        <source>Product {code} ({risk}), amount {amount}.</source>
        <translation>产品 {code}（{risk}），金额 {amount}。</translation>
    </message>
    <message>
        <source>Texts to read: {n}; minimum reading time {s} s.</source>
        <translation>须阅读文本 {n} 份；最短阅读时间 {s} 秒。</translation>
    </message>
    <message>
        <source>Cooling-off period: {h} h from signing.</source>
        <translation>投资冷静期：自签署起 {h} 小时。</translation>
    </message>
    <message>
        <source>Needs supervisor approval: {reasons}</source>
        <translation>须经主管审批：{reasons}</translation>
    </message>
    <message>
        <source>No supervisor approval needed.</source>
        <translation>无需主管审批。</translation>
    </message>
    <message>
        <source>The customer read the disclosure</source>
        <translation>客户已阅读风险揭示</translation>
    </message>
    <message>
        <source>not asked yet</source>
        <translation>尚未询问</translation>
    </message>
    <message>
        <source>agreed</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Recording consent: {answer}</source>
        <translation>录音录像同意：{answer}</translation>
    </message>
    <message>
        <source>The customer typed the confirmation sentence</source>
        <translation>客户已抄录确认语句</translation>
    </message>
    <message>
        <source>The customer signed</source>
        <translation>客户已签名</translation>
    </message>
</context>
<context>
    <name>SignoffWindow</name>
    <message>
        <source>Risk disclosure text</source>
        <translation>风险揭示文本</translation>
    </message>
    <message>
        <source>I have read and understood the risk disclosure</source>
        <translation>本人已阅读并理解风险揭示</translation>
    </message>
    <message>
        <source>The sale of this product is recorded on audio and video in the bank&apos;s sales recording zone, as the regulation requires. The recording is kept as evidence of what you were told and what you decided.

The product cannot be sold to you without your consent to the recording.</source>
        <translation>根据监管要求，本产品的销售过程将在本行录音录像区进行同步录音录像。录音录像将作为向您告知的内容及您所作决定的证据予以保存。

未经您同意录音录像，本行不能向您销售本产品。</translation>
    </message>
    <message>
        <source>I agree to the recording</source>
        <translation>我同意录音录像</translation>
    </message>
    <message>
        <source>I do not agree</source>
        <translation>我不同意</translation>
    </message>
    <message>
        <source>Please type the following sentence into the box below:</source>
        <translation>请在下方输入框中抄录以下语句：</translation>
    </message>
    <message>
        <source>Confirmation sentence</source>
        <translation>确认语句</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Please sign your full name in the box below, then press &quot;Sign&quot;.</source>
        <translation>请在下方框内签写您的全名，然后按“签名”。</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签名</translation>
    </message>
    <message>
        <source>The product cannot be sold without the recording. Please hand the screen back to the teller.</source>
        <translation>未经录音录像，本产品不能销售。请将屏幕交还柜员。</translation>
    </message>
    <message>
        <source>Thank you. Please hand the screen back to the teller.</source>
        <translation>谢谢。请将屏幕交还柜员。</translation>
    </message>
    <message>
        <source>Risk disclosure and confirmation</source>
        <translation>风险揭示与确认</translation>
    </message>
    <message>
        <source>Please read the risk disclosure</source>
        <translation>请阅读风险揭示</translation>
    </message>
    <message>
        <source>Recording of the sale</source>
        <translation>销售录音录像</translation>
    </message>
    <message>
        <source>Your confirmation</source>
        <translation>您的确认</translation>
    </message>
    <message>
        <source>Your signature</source>
        <translation>您的签名</translation>
    </message>
    <message>
        <source>Step {n} of {total}</source>
        <translation>第 {n} 步 / 共 {total} 步</translation>
    </message>
    <message>
        <source>About this purchase</source>
        <translation>本次购买</translation>
    </message>
    <message>
        <source>Version {ref} · {hash}</source>
        <translation>版本 {ref} · {hash}</translation>
    </message>
    <message>
        <source>Please read to the end. You can confirm in {s} s.</source>
        <translation>请阅读至末尾。{s} 秒后可以确认。</translation>
    </message>
    <message>
        <source>Please scroll to the end of the text.</source>
        <translation>请滚动到文本末尾。</translation>
    </message>
    <message>
        <source>You may now confirm.</source>
        <translation>现在可以确认。</translation>
    </message>
    <message>
        <source>The sentence matches. Press Enter or &quot;Confirm&quot;.</source>
        <translation>语句一致。请按回车或“确认”。</translation>
    </message>
    <message>
        <source>Type the sentence shown above.</source>
        <translation>请输入上方显示的语句。</translation>
    </message>
    <message>
        <source>The text does not match the sentence yet.</source>
        <translation>输入内容与语句尚不一致。</translation>
    </message>
    <message>
        <source>Please type the sentence yourself: pasting is not accepted, because the confirmation must be typed by you personally.</source>
        <translation>请您亲自输入这句话：不接受粘贴，确认语句须由您本人输入。</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>User: {name} · {role}</source>
        <translation>用户：{name} · {role}</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>未登录</translation>
    </message>
    <message>
        <source> · DEMO</source>
        <translation> · 演示</translation>
    </message>
    <message>
        <source>Branch: {name} ({code})</source>
        <translation>网点：{name}（{code}）</translation>
    </message>
    <message>
        <source>Sync: stand-alone (no hub configured)</source>
        <translation>同步：单机（未配置中心）</translation>
    </message>
    <message>
        <source>online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Sync: {state} · last {last} · {pending} not yet sent</source>
        <translation>同步：{state} · 上次 {last} · {pending} 条未上送</translation>
    </message>
    <message>
        <source>{n} refused by the hub</source>
        <translation>{n} 条被中心拒收</translation>
    </message>
    <message>
        <source>Switch the interface language</source>
        <translation>切换界面语言</translation>
    </message>
    <message>
        <source>Lock (Ctrl+L)</source>
        <translation>锁定（Ctrl+L）</translation>
    </message>
    <message>
        <source>revoked on the hub</source>
        <translation>已在服务器上被吊销</translation>
    </message>
</context>
<context>
    <name>StepBar</name>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>current step</source>
        <translation>当前步骤</translation>
    </message>
    <message>
        <source>blocked</source>
        <translation>受阻</translation>
    </message>
    <message>
        <source>not yet</source>
        <translation>尚未进行</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>无需办理</translation>
    </message>
</context>
<context>
    <name>SyncActions</name>
    <message>
        <source>&amp;Sync now</source>
        <translation>立即同步(&amp;S)</translation>
    </message>
    <message>
        <source>Code for the &amp;next workstation</source>
        <translation>为下一台工作站生成注册码(&amp;N)</translation>
    </message>
    <message>
        <source>valid for</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>Sync done. Sent {sent} ({duplicate} already at the hub), refused {rejected}, still waiting {pending}. Received {received}: applied {applied}, conflicts {conflicts}.</source>
        <translation>同步完成。上送 {sent} 条（{duplicate} 条中心已有），被拒 {rejected} 条，仍待上送 {pending} 条。接收 {received} 条：已应用 {applied} 条，冲突 {conflicts} 条。</translation>
    </message>
    <message>
        <source>Head-office data: applied {applied}, refused {refused}.</source>
        <translation>总行数据：已应用 {applied} 项，拒绝 {refused} 项。</translation>
    </message>
    <message>
        <source>Nothing is lost: the records wait on this workstation and are sent at the next sync.</source>
        <translation>数据不会丢失：记录保存在本工作站，下次同步时上送。</translation>
    </message>
    <message>
        <source>One-time code for the next workstation of branch {branch}, valid until {until}; it works once and is not shown again. Enter it there with the hub address {hub}.</source>
        <translation>网点 {branch} 下一台工作站的一次性注册码，有效期至 {until}；仅可使用一次，不会再次显示。请在该工作站输入此码及中心地址 {hub}。</translation>
    </message>
</context>
<context>
    <name>SyncConflictsTab</name>
    <message>
        <source>Records changed here and on another workstation of the branch from the same starting point. Both versions are kept until someone chooses which one stays current; nothing is lost either way.</source>
        <translation>在本工作站和本网点另一台工作站上从同一版本出发分别修改的记录。两个版本都会保留，直到有人选择保留哪一个为当前版本；无论如何都不会丢失数据。</translation>
    </message>
    <message>
        <source>What</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Versions (start / here / other)</source>
        <translation>版本（起始 / 本机 / 另一台）</translation>
    </message>
    <message>
        <source>Changed fields</source>
        <translation>修改的字段</translation>
    </message>
    <message>
        <source>Other workstation</source>
        <translation>另一台工作站</translation>
    </message>
    <message>
        <source>Found at</source>
        <translation>发现时间</translation>
    </message>
    <message>
        <source>Keep this workstation&apos;s &amp;version</source>
        <translation>保留本工作站的版本(&amp;V)</translation>
    </message>
    <message>
        <source>Keep the &amp;other&apos;s version</source>
        <translation>保留另一台的版本(&amp;O)</translation>
    </message>
    <message>
        <source>Customer profile changed on two workstations</source>
        <translation>客户信息在两台工作站上被修改</translation>
    </message>
    <message>
        <source>Identity document already used by another customer</source>
        <translation>该身份证件已被其他客户使用</translation>
    </message>
    <message>
        <source>Sale decided on two workstations</source>
        <translation>销售在两台工作站上被处理</translation>
    </message>
    <message>
        <source>Approval decided on two workstations</source>
        <translation>审批在两台工作站上被处理</translation>
    </message>
    <message>
        <source>Evidence recorded differently on two workstations</source>
        <translation>两台工作站记录的证据不一致</translation>
    </message>
    <message>
        <source>(not shown to your role)</source>
        <translation>（您的角色不可见）</translation>
    </message>
    <message>
        <source>Only a user who may edit customers can choose which version to keep; your role sees which records are in conflict, not what differs.</source>
        <translation>只有可以编辑客户信息的用户才能选择保留哪个版本；您的角色只能看到哪些记录存在冲突，看不到差异内容。</translation>
    </message>
    <message>
        <source>This kind of conflict is kept for the record: this workstation&apos;s version stays. Closing it marks it as seen.</source>
        <translation>此类冲突仅作记录：保留本工作站的版本。关闭即表示已查看。</translation>
    </message>
    <message>
        <source>Keeping the other&apos;s version adds it as a new version of the customer profile; the history keeps all versions.</source>
        <translation>保留另一台的版本会将其作为客户信息的新版本添加；历史记录保留所有版本。</translation>
    </message>
    <message>
        <source>No open conflicts.</source>
        <translation>没有未解决的冲突。</translation>
    </message>
    <message>
        <source>The other workstation&apos;s version is now the current one; the conflict is closed.</source>
        <translation>另一台工作站的版本现为当前版本；冲突已关闭。</translation>
    </message>
    <message>
        <source>This workstation&apos;s version stays; the conflict is closed.</source>
        <translation>保留本工作站的版本；冲突已关闭。</translation>
    </message>
    <message>
        <source>Consent linked to different customers on two workstations</source>
        <translation>两台工作站将同一同意书关联到不同客户</translation>
    </message>
    <message>
        <source>Sanctions hit decided differently on two workstations</source>
        <translation>两台工作站对同一制裁名单命中作出不同处理</translation>
    </message>
    <message>
        <source>Follow-up task done or made on two workstations</source>
        <translation>回访任务在两台工作站上分别完成或创建</translation>
    </message>
    <message>
        <source>Another workstation&apos;s audit entry does not fit its chain</source>
        <translation>其他工作站的审计记录与其哈希链不符</translation>
    </message>
    <message>
        <source>customer profile</source>
        <translation>客户资料</translation>
    </message>
    <message>
        <source>counter session</source>
        <translation>柜面业务</translation>
    </message>
    <message>
        <source>risk assessment</source>
        <translation>风险评估</translation>
    </message>
    <message>
        <source>suitability decision</source>
        <translation>适当性判断</translation>
    </message>
    <message>
        <source>sale sign-off</source>
        <translation>销售确认</translation>
    </message>
    <message>
        <source>approval request</source>
        <translation>审批申请</translation>
    </message>
    <message>
        <source>approval decision</source>
        <translation>审批决定</translation>
    </message>
    <message>
        <source>sale evidence</source>
        <translation>销售证据</translation>
    </message>
    <message>
        <source>audit entry</source>
        <translation>审计记录</translation>
    </message>
    <message>
        <source>customer complaint</source>
        <translation>客户投诉</translation>
    </message>
    <message>
        <source>complaint step</source>
        <translation>投诉处理步骤</translation>
    </message>
    <message>
        <source>AML referral</source>
        <translation>反洗钱移交</translation>
    </message>
    <message>
        <source>AML referral closure</source>
        <translation>反洗钱移交办结</translation>
    </message>
    <message>
        <source>AML referral closed on two workstations</source>
        <translation>同一反洗钱移交在两台工作站上被办结</translation>
    </message>
    <message>
        <source>restriction of processing</source>
        <translation>限制处理</translation>
    </message>
    <message>
        <source>retention purge</source>
        <translation>到期清除</translation>
    </message>
    <message>
        <source>separate consent</source>
        <translation>单独同意</translation>
    </message>
    <message>
        <source>AML risk rating</source>
        <translation>反洗钱风险等级</translation>
    </message>
    <message>
        <source>sanctions screening</source>
        <translation>制裁名单筛查</translation>
    </message>
    <message>
        <source>cooling-off cancellation</source>
        <translation>冷静期撤销</translation>
    </message>
    <message>
        <source>follow-up task</source>
        <translation>回访任务</translation>
    </message>
    <message>
        <source>follow-up call</source>
        <translation>回访电话</translation>
    </message>
    <message>
        <source>follow-up outcome</source>
        <translation>回访结果</translation>
    </message>
    <message>
        <source>customer evaluation</source>
        <translation>客户评价</translation>
    </message>
    <message>
        <source>confirmation print</source>
        <translation>确认书打印</translation>
    </message>
</context>
<context>
    <name>SyncEnrolBox</name>
    <message>
        <source>Enrol this workstation</source>
        <translation>注册本工作站</translation>
    </message>
    <message>
        <source>&amp;Hub address</source>
        <translation>中心地址(&amp;H)</translation>
    </message>
    <message>
        <source>e.g. {example}</source>
        <translation>例如 {example}</translation>
    </message>
    <message>
        <source>One-time &amp;code</source>
        <translation>一次性注册码(&amp;C)</translation>
    </message>
    <message>
        <source>32 characters from the hub administrator or another workstation</source>
        <translation>由中心管理员或其他工作站提供的 32 位字符</translation>
    </message>
    <message>
        <source>Hub&apos;s C&amp;A certificate</source>
        <translation>中心的 CA 证书(&amp;A)</translation>
    </message>
    <message>
        <source>Only when the hub&apos;s certificate is not from a CA this computer trusts (a .pem file)</source>
        <translation>仅当中心证书并非由本机信任的 CA 签发时填写（.pem 文件）</translation>
    </message>
    <message>
        <source>Choose &amp;file…</source>
        <translation>选择文件(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Workstation name</source>
        <translation>工作站名称(&amp;W)</translation>
    </message>
    <message>
        <source>How the hub lists this workstation, e.g. Counter 2</source>
        <translation>中心列出本工作站所用的名称，例如 2 号柜台</translation>
    </message>
    <message>
        <source>&amp;Branch code</source>
        <translation>网点代码(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Enrol this workstation</source>
        <translation>注册本工作站(&amp;E)</translation>
    </message>
    <message>
        <source>The hub&apos;s CA certificate</source>
        <translation>中心的 CA 证书</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>证书 (*.pem *.crt *.cer);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Enter the hub&apos;s address, e.g. {example}.</source>
        <translation>请输入中心地址，例如 {example}。</translation>
    </message>
    <message>
        <source>Enter the one-time code.</source>
        <translation>请输入一次性注册码。</translation>
    </message>
    <message>
        <source>This workstation is enrolled in branch {branch} (device {device}). Compare the head-office key fingerprint below with the one the hub administrator gives you.</source>
        <translation>本工作站已注册到网点 {branch}（设备 {device}）。请将下方总行密钥指纹与中心管理员提供的指纹核对。</translation>
    </message>
    <message>
        <source>This workstation is enrolled in branch {branch} (device {device}).</source>
        <translation>本工作站已注册到网点 {branch}（设备 {device}）。</translation>
    </message>
    <message>
        <source>The hub refused the code: it is unknown, already used, expired or for another branch than {branch}. Nothing was changed on this workstation.</source>
        <translation>中心拒绝了该注册码：注册码无效、已使用、已过期或不属于网点 {branch}。本工作站未作任何更改。</translation>
    </message>
    <message>
        <source>Branch {branch} already has a branch key and this code carries none: ask for the code on an enrolled workstation of the branch (&quot;Code for the next workstation&quot;). Nothing was changed on this workstation.</source>
        <translation>网点 {branch} 已有网点密钥，而该注册码不含密钥：请在本网点已注册的工作站上生成注册码（“为下一台工作站生成注册码”）。本工作站未作任何更改。</translation>
    </message>
    <message>
        <source>The hub does not know branch {branch}. Check the branch code with the hub administrator.</source>
        <translation>中心没有网点 {branch}。请与中心管理员核对网点代码。</translation>
    </message>
</context>
<context>
    <name>SyncPage</name>
    <message>
        <source>Sync with the hub</source>
        <translation>与中心同步</translation>
    </message>
    <message>
        <source>An enrolled workstation sends its records to the branch&apos;s hub and receives those of the other workstations of the branch, encrypted with the branch key. Sync runs by itself while someone is signed in; this page shows how far it is.</source>
        <translation>已注册的工作站将其记录上送至网点的同步中心，并接收本网点其他工作站的记录，全部以网点密钥加密。有用户登录时同步自动进行；本页显示同步进度。</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新（F5）</translation>
    </message>
    <message>
        <source>Refused by the hub ({count})</source>
        <translation>被中心拒收（{count}）</translation>
    </message>
    <message>
        <source>Conflicts ({count})</source>
        <translation>冲突（{count}）</translation>
    </message>
</context>
<context>
    <name>SyncQuarantineTab</name>
    <message>
        <source>Records the hub refused. Their content stays on this workstation and is never shown here. Once the cause is fixed (for example the hub was updated), send them again.</source>
        <translation>被中心拒收的记录。其内容保留在本工作站，不在此显示。原因排除后（例如中心已升级），请重新发送。</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Created at</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>记录编号</translation>
    </message>
    <message>
        <source>Send the selected a&amp;gain</source>
        <translation>重新发送所选记录(&amp;G)</translation>
    </message>
    <message>
        <source>Send &amp;all again</source>
        <translation>全部重新发送(&amp;A)</translation>
    </message>
    <message>
        <source>The hub has refused no record of this workstation.</source>
        <translation>中心没有拒收本工作站的任何记录。</translation>
    </message>
    <message>
        <source>{count} record(s) will be sent again at the next sync.</source>
        <translation>{count} 条记录将在下次同步时重新发送。</translation>
    </message>
</context>
<context>
    <name>SyncRunner</name>
    <message>
        <source>The hub&apos;s certificate is not trusted: give the CA certificate that signed it.</source>
        <translation>中心证书不受信任：请提供签发该证书的 CA 证书。</translation>
    </message>
</context>
<context>
    <name>SyncStatusBox</name>
    <message>
        <source>This workstation</source>
        <translation>本工作站</translation>
    </message>
    <message>
        <source>Hub:</source>
        <translation>中心：</translation>
    </message>
    <message>
        <source>Branch:</source>
        <translation>网点：</translation>
    </message>
    <message>
        <source>Workstation name:</source>
        <translation>工作站名称：</translation>
    </message>
    <message>
        <source>Device id:</source>
        <translation>设备编号：</translation>
    </message>
    <message>
        <source>Last sync:</source>
        <translation>上次同步：</translation>
    </message>
    <message>
        <source>Waiting to be sent:</source>
        <translation>待上送：</translation>
    </message>
    <message>
        <source>Refused by the hub:</source>
        <translation>被中心拒收：</translation>
    </message>
    <message>
        <source>Open conflicts:</source>
        <translation>未解决的冲突：</translation>
    </message>
    <message>
        <source>Head-office key fingerprint:</source>
        <translation>总行密钥指纹：</translation>
    </message>
    <message>
        <source>(trusting the CA certificate given at enrolment)</source>
        <translation>（信任注册时提供的 CA 证书）</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>Compare it character by character with the one the hub administrator gives you. If they differ, do not use this connection and call head office.</source>
        <translation>请与中心管理员提供的指纹逐字核对。如不一致，请勿使用此连接并联系总行。</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>The hub had no head-office key when this workstation enrolled: head-office catalogs and lists cannot be verified until it is enrolled again.</source>
        <translation>本工作站注册时中心尚无总行密钥：在重新注册之前，无法验证总行下发的产品目录和名单。</translation>
    </message>
    <message>
        <source>Device on the hub:</source>
        <translation>设备在同步服务器上的状态：</translation>
    </message>
    <message>
        <source>Revoked ({since}): the hub refuses this device, nothing syncs. Get an enrolment code and enrol it again (counterdesk-admin sync enrol --again).</source>
        <translation>已吊销（{since}）：同步服务器拒绝本设备，不再同步。请索取注册码并重新注册（counterdesk-admin sync enrol --again）。</translation>
    </message>
    <message>
        <source>Enrolled (accepted at the last request)</source>
        <translation>已注册（上次请求时被接受）</translation>
    </message>
</context>
<context>
    <name>TemporaryPasswordDialog</name>
    <message>
        <source>Enable user</source>
        <translation>启用用户</translation>
    </message>
    <message>
        <source>Enable {name} again with a temporary password. They must change it at their next sign-in.</source>
        <translation>使用临时密码重新启用 {name}。该用户下次登录时必须修改密码。</translation>
    </message>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>Set a temporary password for {name}. They must change it at their next sign-in.</source>
        <translation>为 {name} 设置临时密码。该用户下次登录时必须修改密码。</translation>
    </message>
    <message>
        <source>Set password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <source>&amp;Temporary password</source>
        <translation>临时密码(&amp;T)</translation>
    </message>
    <message>
        <source>C&amp;onfirm password</source>
        <translation>确认密码(&amp;O)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The two passwords do not match.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>{name} is enabled again with a temporary password.</source>
        <translation>{name} 已使用临时密码重新启用。</translation>
    </message>
    <message>
        <source>Temporary password set for {name}; they must change it at next sign-in.</source>
        <translation>已为 {name} 设置临时密码；该用户下次登录时须修改。</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <source>Users</source>
        <translation>用户管理</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Must change password</source>
        <translation>须修改密码</translation>
    </message>
    <message>
        <source>Locked out</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Second factor</source>
        <translation>第二因素</translation>
    </message>
    <message>
        <source>Add user…</source>
        <translation>添加用户…</translation>
    </message>
    <message>
        <source>Add a user (Ins)</source>
        <translation>添加用户（Ins）</translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <source>Change role…</source>
        <translation>更改角色…</translation>
    </message>
    <message>
        <source>Disable</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Enable…</source>
        <translation>启用…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Lift a lockout after too many failed sign-ins</source>
        <translation>解除因多次登录失败导致的锁定</translation>
    </message>
    <message>
        <source>Reset second factor…</source>
        <translation>重置第二因素…</translation>
    </message>
    <message>
        <source>Remove a lost authenticator app; the user sets up a new one</source>
        <translation>移除丢失的身份验证器；用户须重新设置</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Licences…</source>
        <translation>从业资格…</translation>
    </message>
    <message>
        <source>Staff licences of the selected user</source>
        <translation>所选用户的从业资格</translation>
    </message>
    <message>
        <source>Reload the list (F5)</source>
        <translation>重新加载列表（F5）</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Disabled</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Set up at next sign-in</source>
        <translation>下次登录时设置</translation>
    </message>
    <message>
        <source>Set up ({n} recovery codes left)</source>
        <translation>已设置（剩余 {n} 个恢复码）</translation>
    </message>
    <message>
        <source>{name} is disabled; their password no longer opens CounterDesk.</source>
        <translation>{name} 已停用；其密码不能再打开 CounterDesk。</translation>
    </message>
    <message>
        <source>{name} is unlocked and may sign in again.</source>
        <translation>{name} 已解锁，可以再次登录。</translation>
    </message>
</context>
<context>
    <name>FollowUpsPage</name>
    <message>
        <source>Lapsed: nobody followed up in time after the due day; a late contact may still be recorded</source>
        <translation>已失效：到期后未在规定时间内回访；仍可登记补充的联系</translation>
    </message>
    <message>
        <source>Cooling-off period until {time}: no contact with the customer</source>
        <translation>投资冷静期至 {time}：不得联系客户</translation>
    </message>
    <message>
        <source>Your own sale: a colleague makes this follow-up</source>
        <translation>本人销售：须由其他员工回访</translation>
    </message>
    <message>
        <source>Belongs to branch {branch}</source>
        <translation>属于网点 {branch}</translation>
    </message>
    <message>
        <source>Restricted processing: no follow-up</source>
        <translation>限制处理：不得回访</translation>
    </message>
    <message>
        <source>Nothing is due.</source>
        <translation>没有待办的回访。</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Sale</source>
        <translation>销售</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>依据</translation>
    </message>
    <message>
        <source>Contacts so far</source>
        <translation>已有联系记录</translation>
    </message>
    <message>
        <source>Outcome recorded.</source>
        <translation>回访结果已登记。</translation>
    </message>
    <message>
        <source>Post-sale calls, an older customer&apos;s extra follow-up after a high-risk sale, expiring risk assessments and maturing products, soonest first. Select one and press Enter to record the outcome of the contact.</source>
        <translation>售后回访、老年客户购买高风险产品后的额外回访、即将到期的风险评估和即将到期的产品，按到期日排列。选中一项后按回车键登记联系结果。</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>类型(&amp;K)</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>&amp;My customers only</source>
        <translation>只看我的客户(&amp;M)</translation>
    </message>
    <message>
        <source>Show &amp;done and lapsed</source>
        <translation>显示已完成和已失效(&amp;D)</translation>
    </message>
    <message>
        <source>Refresh (F5)</source>
        <translation>刷新 (F5)</translation>
    </message>
    <message>
        <source>&amp;Record outcome…</source>
        <translation>登记结果(&amp;R)…</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
</context>
<context>
    <name>OutcomeDialog</name>
    <message>
        <source>Record the outcome</source>
        <translation>登记回访结果</translation>
    </message>
    <message>
        <source>Required for a call that reached the customer</source>
        <translation>电话联系上客户时必填</translation>
    </message>
    <message>
        <source>&amp;Outcome</source>
        <translation>结果(&amp;O)</translation>
    </message>
    <message>
        <source>C&amp;hannel</source>
        <translation>联系方式(&amp;H)</translation>
    </message>
    <message>
        <source>Call &amp;recording</source>
        <translation>通话录音编号(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>记录(&amp;N)</translation>
    </message>
    <message>
        <source>Every outcome but &quot;not reached&quot; closes the follow-up. The note is kept in the encrypted store, never in the audit log (at most {n} characters).</source>
        <translation>除“未联系上”外，登记结果即完成该项回访。记录只保存在加密存储中，不写入审计日志（不超过 {n} 字）。</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
</TS>
